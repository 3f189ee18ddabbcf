"""The %gonka magics in a real IPython shell against a real 3-participant network (chain, ML and
api nodes): every subcommand returns an object for code, and failures are one line."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from node.devnet.network import Devnet
from tests.notebooks.cockpit_network import cockpit_network  # noqa: F401

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ip(cockpit_network: Devnet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InteractiveShell]:  # noqa: F811
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gonka_lab")
    session = shell.magics_manager.registry["GonkaMagics"].session
    session.home = tmp_path_factory.mktemp("magics-home")
    assert shell.run_line_magic("gonka", f"connect {cockpit_network.dir}")["height"] > 0
    yield shell


def _infer(ip: InteractiveShell, line: str, timeout_s: float = 120.0) -> Any:
    """`%gonka infer`, again while a PoC stage refuses inference (it prints why), up to a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = ip.run_line_magic("gonka", line)
        if answer is not None:
            return answer
        time.sleep(2)  # the PoC stage lasts a few blocks
    raise AssertionError(f"no inference answered within {timeout_s:.0f} s")


def test_status_and_epoch(ip: InteractiveShell) -> None:
    view = ip.run_line_magic("gonka", "status --watch 5 --every 0.5")
    assert list(view.frame["name"]) == ["p1", "p2", "p3"]
    assert {"weight", "voting_power", "reputation", "status", "phase", "height"} <= set(view.frame.columns)
    first = int(view.frame["height"].max())
    assert view.refresher.join(30)  # it refreshed in the background, then stopped at its deadline
    assert view.refresher.error is None and int(view.frame["height"].max()) > first
    epoch = ip.run_line_magic("gonka", "epoch")
    assert epoch.epoch["epoch_index"] >= 0 and "next PoC" in epoch.timeline.widget.value


def test_account_infer_and_ledger(ip: InteractiveShell, tmp_path: Path) -> None:
    account = ip.run_line_magic("gonka", "account create magic-dev")
    assert account["balance"] > 0
    answer = _infer(ip, 'infer "Say hello" --max-tokens 8 --timeout 30')
    assert answer.id and answer.content and answer.view.tokens.value == answer.content
    assert answer.wait(90, statuses=("VALIDATED", "INVALIDATED", "FINISHED")) in ("VALIDATED", "FINISHED")
    progress = ip.run_line_magic("gonka", f"ledger sync --db {tmp_path / 'l.duckdb'}")
    assert progress.height == progress.target > 0
    frame = ip.run_cell_magic("gonka", f"sql --db {tmp_path / 'l.duckdb'}",
                              f"SELECT inference_id FROM inferences WHERE inference_id = '{answer.id}'")
    assert len(frame) == 1


def test_sprint_reports_nonces_and_weights(ip: InteractiveShell) -> None:
    result = ip.run_line_magic("gonka", "sprint --timeout 240")
    # on a loaded machine a host can miss a sprint: require the sprint to have happened, not every host in it
    assert (result.progress["valid_nonces"] > 0).any(), result.progress
    assert (result.progress["nonces_tried"] >= result.progress["valid_nonces"]).all(), result.progress
    assert (result.weights["weight"] > 0).any(), result.weights


def test_network_errors_are_one_line(ip: InteractiveShell) -> None:
    with capture_output() as out:
        assert ip.run_line_magic("gonka", "net stop p9-api") is None
        assert ip.run_line_magic("gonka", "adversary p9 wrong-model") is None
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2 and "no node named 'p9-api'" in lines[0] and "no participant 'p9'" in lines[1], out.stderr
