"""Drawing a task's workers from the effective epoch group, in proportion to weight.

A weighted draw without replacement, seeded from the task: each pick takes a uniform integer
below the remaining total weight (SHA-256 counter mode, so every node draws the same) and walks
the cumulative weights. The order of picks is the order of data shards.
"""

from __future__ import annotations

from node.core.hashing import sha256


def task_seed(task_id: int, creator: str, height: int) -> bytes:
    return sha256(b"gonka/training/assign/%d/%s/%d" % (task_id, creator.encode(), height))


def draw_weighted(members: list[tuple[str, int]], count: int, seed: bytes) -> list[str]:
    """Up to `count` distinct addresses from (address, weight) pairs; zero weights never win."""
    pool = [(address, weight) for address, weight in members if weight > 0]
    chosen: list[str] = []
    counter = 0
    while pool and len(chosen) < count:
        total = sum(weight for _, weight in pool)
        # 256 bits modulo a small total: the bias is below 2^-200.
        target = int.from_bytes(sha256(seed + counter.to_bytes(8, "big")), "big") % total
        counter += 1
        for index, (address, weight) in enumerate(pool):
            if target < weight:
                chosen.append(address)
                del pool[index]
                break
            target -= weight
    return chosen
