"""`%gonka train` refuses bad input with one line before it reaches any network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gonka_lab.magics.session import Session


@pytest.fixture
def ip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GONKA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GONKA_DEVNET_DIR", raising=False)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gonka_lab")
    magics = shell.magics_manager.registry["GonkaMagics"]
    magics.session = Session()  # a fresh session: no other test's network
    magics.session.home = tmp_path / "home"
    yield shell


@pytest.mark.parametrize(("line", "expected"), [
    ("train status", "train status needs a task id"),
    ("train start 3 --budget 10", "train start takes no task id"),
    ("train start --budget 10 --inner-lr 2", "inner_lr must be a number in (0, 1)"),
    ("train start --inner-steps 10", "budget must be a positive number"),
    ("train start --budget 10", "no account: pass --from NAME"),
    ("train start --budget 10 --from nobody", "nobody"),
    ("train pause 1", "invalid choice: 'pause'"),
])
def test_bad_train_lines_are_one_line_each(ip: InteractiveShell, line: str, expected: str) -> None:
    with capture_output() as out:
        assert ip.run_line_magic("gonka", line) is None
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in out.stderr, out.stderr
