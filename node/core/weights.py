"""From PoC weight to consensus power: the collateral adjustment and power capping.

Reference protocol.md §3. Ratios are ppm integers (1_000_000 = 1.0) and every
step is integer arithmetic, so all nodes derive the same powers.
"""

from __future__ import annotations

from collections.abc import Sequence

PPM = 1_000_000
# With fewer than 4 participants the cap is raised to 1.0 / 0.5 / 0.4.
_SMALL_NETWORK_CAP_PPM = {1: PPM, 2: 500_000, 3: 400_000}


def collateral_adjusted_weight(weight: int, collateral: int, base_ratio_ppm: int, per_unit_milli: int) -> int:
    """base_ratio·W + min((1 − base_ratio)·W, collateral / collateral_per_weight_unit).

    `per_unit_milli` is ngonka of collateral per weight unit, in thousandths (> 0).
    """
    base = weight * base_ratio_ppm // PPM
    backed = collateral * 1000 // per_unit_milli
    return base + min(weight - base, backed)


def cap_ppm_for(participants: int, max_individual_power_ppm: int) -> int:
    return max(max_individual_power_ppm, _SMALL_NETWORK_CAP_PPM.get(participants, 0))


def cap_powers(powers: Sequence[int], max_individual_power_ppm: int) -> list[int]:
    """Clip powers so that none exceeds the cap share of the total (reference power_capping.go).

    Sort ascending; find the first k with p_k > cap·(Σ_{i<k} p_i + p_k·(n−k)); clip
    everyone to cap·Σ_{i<k} p_i / (1 − cap·(n−k)), floored. Zero powers take no
    part (n counts positive powers only): counting them let a zero become the
    cap and zeroed the whole network (reference issue #1395). Output order
    matches input order.
    """
    positive = sorted(p for p in powers if p > 0)
    n = len(positive)
    cap = cap_ppm_for(n, max_individual_power_ppm)
    below = 0  # Σ_{i<k} p_i
    for k, power in enumerate(positive):
        if power * PPM > cap * (below + power * (n - k)):
            # The condition implies PPM − cap·(n−k) > 0, so the division is safe.
            limit = cap * below // (PPM - cap * (n - k))
            return [min(p, limit) for p in powers]
        below += power
    return list(powers)
