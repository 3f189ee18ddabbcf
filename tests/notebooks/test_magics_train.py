"""`%gonka train` in a real IPython shell against the shared 3-participant cockpit network: the
api nodes train, validate and get paid while the magic's live view follows the chain."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from node.devnet.genesis import GNK
from node.devnet.network import Devnet

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

# A run short enough to fit between two PoCs (a host whose ML node trains skips the sprint).
TASK = "--inner-steps 10 --outer-steps 6 --min-workers 2 --max-workers 3 --segment-steps 5"
QUIET_BLOCKS = 25  # blocks to the next PoC the run starts with at least


@pytest.fixture(scope="module")
def ip(cockpit_network: Devnet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InteractiveShell]:
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gonka_lab")
    session = shell.magics_manager.registry["GonkaMagics"].session
    session.home = tmp_path_factory.mktemp("magics-train-home")
    assert shell.run_line_magic("gonka", f"connect {cockpit_network.dir}")["height"] > 0
    yield shell


def until_quiet_epoch(ip: InteractiveShell, timeout_s: float = 120.0) -> None:
    """Until the chain is early in an inference phase (the next PoC at least QUIET_BLOCKS away)."""
    deadline = time.monotonic() + timeout_s
    while True:
        epoch = ip.run_line_magic("gonka", "epoch").epoch
        if epoch["phase"] == "Inference" and epoch["next_poc_start_height"] - epoch["height"] >= QUIET_BLOCKS:
            return
        assert time.monotonic() < deadline, f"no quiet stretch of {QUIET_BLOCKS} blocks within {timeout_s:.0f} s"
        time.sleep(1)  # the chain's clock: one block is about a second


def test_train_start_follows_a_task_to_settlement(ip: InteractiveShell) -> None:
    assert ip.run_line_magic("gonka", "account create train-dev")["balance"] > 0
    with capture_output() as out:
        assert ip.run_line_magic("gonka", f"train start --model gpt-9 --budget {GNK} {TASK}") is None
    assert "unknown model 'gpt-9'" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr

    until_quiet_epoch(ip)
    run = ip.run_line_magic("gonka", f"train start --budget {GNK} {TASK} --watch 300 --every 1")
    assert run.task_id >= 1 and run.status in ("OPEN", "TRAINING")
    assert run.wait(240) == "SETTLED", (run.task, run.workers)
    assert run.refresher.join(10), "the live view stops once the task is settled"
    assignees = run.task["assignees"]
    assert set(run.losses["worker"]) == set(run.workers["worker"]) and len(assignees) >= 2
    committed = run.workers["committed_steps"].astype(int)  # a worker that joined late healed and skipped steps
    assert (committed > 0).all() and len(run.losses) == 10 * committed.sum(), "every committed loss is plotted"
    first, last = run.losses[run.losses["step"] < 10]["loss"].mean(), run.losses[run.losses["step"] >= 50]["loss"].mean()
    assert last < first, "the loss went down"
    assert set(run.workers["status"]) == {"VERIFIED"} and int(run.task["escrow"]) == 0
    assert bytes(run.view.plot.value).startswith(b"\x89PNG") and "SETTLED" in run.view.header.value

    again = ip.run_line_magic("gonka", f"train status {run.task_id}")
    assert again.status == "SETTLED" and again.losses.equals(run.losses)
    with capture_output() as out:
        assert ip.run_line_magic("gonka", f"train stop {run.task_id}") is None
    assert "training task" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
