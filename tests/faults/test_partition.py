"""A 2|2 split of 4 validators (real Linux network namespaces, veth pairs, two bridges) commits
nothing and forks nothing; after healing, commits resume within a bounded time and every
node agrees on every header and app hash."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.faults.netns import NetnsLab

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root (CI runs as root)")

PARTITION_S = 6
RESUME_WITHIN_S = 45


def _heights(lab: NetnsLab) -> list[int]:
    return [len(lab.blocks(node) or []) for node in lab.nodes]


def _wait_all_at_least(lab: NetnsLab, target: int, within_s: float) -> list[int]:
    deadline = time.monotonic() + within_s
    while True:
        heights = _heights(lab)
        if min(heights) >= target:
            return heights
        assert time.monotonic() < deadline, f"heights {heights} did not all reach {target} within {within_s} s"


def test_n4_split_2_2_commits_nothing_then_heals(tmp_path: Path) -> None:
    with NetnsLab(tmp_path, 4) as lab:
        lab.start()
        _wait_all_at_least(lab, 3, 60)

        lab.partition(side_b=[3, 4])
        split_at = max(_heights(lab))
        observe_until = time.monotonic() + PARTITION_S
        while time.monotonic() < observe_until:
            # a block already decided at the cut may still land; nothing beyond it can
            assert max(_heights(lab)) <= split_at + 1, "a minority side committed a block"
        during = _heights(lab)

        lab.heal()
        _wait_all_at_least(lab, max(during) + 3, RESUME_WITHIN_S)

        chains = [lab.blocks(node) for node in lab.nodes]
        common = min(len(chain or []) for chain in chains)
        for height in range(common):
            assert len({chain[height] for chain in chains if chain}) == 1, f"fork at height {height + 1}"
