"""Reputation 0..100 from a participant's settled epochs (reference protocol.md §6).

penalty = Σ m · miss_requests_penalty over epochs whose miss rate
m = missed / inferences exceeds miss_percentage_cutoff (m = 0 without
inferences); actual = epochs − penalty; reputation = 100 above epochs_to_max,
0 at or below 0, else floor(100 · actual / epochs_to_max) (the reference's
truncate-to-2-decimals · 100). Exact rational arithmetic throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

MAX_REPUTATION = 100
_PPM = 1_000_000


def reputation_score(
    epochs: Sequence[tuple[int, int]], epochs_to_max: int, miss_cutoff_ppm: int, miss_penalty_ppm: int
) -> int:
    """`epochs`: (inference_count, missed_requests) per settled epoch that counts."""
    cutoff = Fraction(miss_cutoff_ppm, _PPM)
    penalty = Fraction(0)
    for inferences, missed in epochs:
        miss_rate = Fraction(missed, inferences) if inferences else Fraction(0)
        if miss_rate > cutoff:
            penalty += miss_rate * Fraction(miss_penalty_ppm, _PPM)
    actual = len(epochs) - penalty
    if actual > epochs_to_max:
        return MAX_REPUTATION
    if actual <= 0:
        return 0
    return int(actual * MAX_REPUTATION // epochs_to_max)
