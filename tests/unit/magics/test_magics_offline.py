"""The %gonka magics in a real IPython shell with no network: help, and one clear line for every
kind of bad input, after which the shell still works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gonka_lab.magics import SUBCOMMANDS
from gonka_lab.magics.session import Session
from node.devnet.ports import free_ports


@pytest.fixture
def ip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("GONKA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GONKA_DEVNET_DIR", raising=False)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gonka_lab")
    magics = shell.magics_manager.registry["GonkaMagics"]
    # the shell is a process-wide singleton: start from a fresh session, not another test's network
    magics.session = Session()
    magics.session.home = tmp_path / "home"
    yield shell


def _one_error_line(captured: object) -> str:
    lines = captured.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and "Traceback" not in captured.stderr, captured.stderr  # type: ignore[attr-defined]
    return lines[0]


def test_overview_and_every_subcommand_has_help_with_examples(ip: InteractiveShell) -> None:
    with capture_output() as out:
        assert ip.run_line_magic("gonka", "--help") is None
    assert all(name in out.stdout for name in SUBCOMMANDS)
    for name in SUBCOMMANDS:
        with capture_output() as out:
            ip.run_line_magic("gonka", f"{name} --help")
        assert f"%gonka {name}" in out.stdout and "Examples" in out.stdout, name


@pytest.mark.parametrize("line, expected", [
    ("bogus", "unknown subcommand 'bogus'"),
    ("net up --bogus", "unrecognized arguments: --bogus"),
    ("net explode", "invalid choice: 'explode'"),
    ("status", "no network in"),
    ("connect 127.0.0.1:1", "unreachable"),
    ("adversary p1 teleport", "unknown adversary mode 'teleport'"),
    ("infer hello", "no account"),
])
def test_bad_input_prints_one_line_and_the_shell_stays_usable(ip: InteractiveShell, line: str, expected: str) -> None:
    with capture_output() as out:
        assert ip.run_line_magic("gonka", line) is None
    assert expected in _one_error_line(out)
    ip.run_cell("x = 1 + 1")
    assert ip.user_ns["x"] == 2


def test_sql_on_a_ledger_file(ip: InteractiveShell, tmp_path: Path) -> None:
    db = tmp_path / "ledger.duckdb"
    frame = ip.run_cell_magic("gonka", f"sql --db {db}", "SELECT count(*) AS blocks FROM blocks")
    assert frame["blocks"].tolist() == [0]
    with capture_output() as out:
        assert ip.run_cell_magic("gonka", f"sql --db {db}", "SELEC 1") is None
    assert "SQL error" in _one_error_line(out)
    with capture_output() as out:
        assert ip.run_cell_magic("gonka", f"sql --db {db}", "  ") is None
    assert "no SQL" in _one_error_line(out)


@pytest.mark.parametrize("line", ["status", "epoch", "sprint --timeout 5", "ledger sync --db {db}",
                                  "sql --sync --db {db} SELECT 1"])
def test_an_unreachable_node_is_one_line(ip: InteractiveShell, tmp_path: Path, line: str) -> None:
    (port,) = free_ports(1)
    ip.magics_manager.registry["GonkaMagics"].session.chain_url = f"127.0.0.1:{port}"  # as after `connect`
    with capture_output() as out:
        assert ip.run_line_magic("gonka", line.format(db=tmp_path / "ledger.duckdb")) is None
    assert "unreachable" in _one_error_line(out)
    ip.run_cell("y = 2 * 3")
    assert ip.user_ns["y"] == 6
