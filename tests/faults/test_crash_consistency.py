"""Crash consistency: SIGKILL validators at random moments — including mid-commit, under load —
many times. Every restart succeeds, the nodes agree on every header and app hash, nothing
committed is lost, nothing is included twice. A torn consensus-WAL tail is repaired on start."""

from __future__ import annotations

import random
import time

from node.chain.config import ChainNodeConfig
from node.devnet.network import Devnet

from tests.faults.invariants import chain_urls, check_all, common_height
from tests.faults.load import TransferLoad

ITERATIONS = 12


def test_sigkill_at_random_points_under_load(net4: Devnet) -> None:
    rng = random.Random(2026)
    load = TransferLoad(net4, senders=3, max_txs=400).start()
    try:
        for _ in range(ITERATIONS):
            victim = rng.choice([n.name for n in net4.manifest.nodes])
            # a random point inside a block interval (blocks take a few hundred ms here)
            time.sleep(rng.uniform(0.0, 0.6))  # fault timing, not synchronization
            net4.stop(victim, kill=True)
            net4.start(victim)  # waits until the node answers again
        # the kills come fast; let the load land enough transfers to be worth checking
        enough_by = time.monotonic() + 60
        while len(load.acknowledged) < ITERATIONS and time.monotonic() < enough_by:
            time.sleep(0.2)  # polling the load thread's counter, with a deadline
    finally:
        load.stop()
    before = common_height(chain_urls(net4))
    # rounds that timed out during the kills make the next ones longer (linear timeouts), so allow 2 min
    deadline = time.monotonic() + 120
    while common_height(chain_urls(net4)) < before + 3:
        assert time.monotonic() < deadline, "the network did not resume after the last restart"
    assert len(load.acknowledged) >= ITERATIONS, "the load generator got almost nothing committed"
    check_all(net4, load.acknowledged, load.addresses)


def test_torn_wal_tail_is_repaired_on_restart(net4: Devnet) -> None:
    victim = net4.manifest.nodes[2]
    net4.stop(victim.name, kill=True)
    wal = ChainNodeConfig.load(net4.dir / victim.config).home / "data" / "consensus.wal"
    data = wal.read_bytes()
    assert len(data) > 16
    wal.write_bytes(data[:-7])  # tear the last record
    net4.start(victim.name)
    target = common_height(chain_urls(net4)) + 3
    deadline = time.monotonic() + 60
    while common_height(chain_urls(net4)) < target:
        assert time.monotonic() < deadline, "the node with a torn WAL did not catch up"
    assert wal.with_suffix(".corrupt").exists()
    check_all(net4, [], [])
