"""The reference logprob similarity (mlnode.md §5), as pure functions.

At each position the validator's own top-k tokens are looked up in the executor's reported top
list; a token the executor did not report gets an extrapolated value min1 - (min2 - min1), just
below the executor's smallest. Each token adds |v - o| / (1e-6 + |v| + |o|) / 2, and

    similarity = 1 - sum / (max(100, N) * K)

The max(100, N) is the reference's: completions shorter than 100 tokens are diluted towards 1,
so short answers are judged leniently (THRESHOLDS.md shows by how much).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from node.ml.inference.runner import TokenLogprobs

MIN_POSITIONS = 100
_EPS = 1e-6


def position_distance(validator: TokenLogprobs, claimed_top: Mapping[int, float]) -> float:
    """Mean term over the validator's top-k at one position, in [0, 0.5]."""
    if not validator.top:
        raise ValueError("the validator's top list is empty (top_k must be at least 1)")
    if not claimed_top:
        return 0.5  # nothing reported: every term is maximal
    missing = _extrapolated(sorted(claimed_top.values()))
    total = 0.0
    for token_id, v in validator.top:
        o = claimed_top.get(token_id, missing)
        total += abs(v - o) / (_EPS + abs(v) + abs(o)) / 2
    return total / len(validator.top)


def similarity(position_distances: Sequence[float]) -> float:
    return 1.0 - sum(position_distances) / max(MIN_POSITIONS, len(position_distances))


def _extrapolated(ascending: Sequence[float]) -> float:
    if len(ascending) == 1:
        return ascending[0]
    min1, min2 = ascending[0], ascending[1]
    return min1 - (min2 - min1)
