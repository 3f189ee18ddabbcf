"""Executor status from its validation record (reference §5 calculateStatus), in integers.

Checks in order:
1. INVALID if fpr^consecutive_invalid < 1e-6 (fpr 0.05: 5 consecutive invalidations);
2. RAMPING if inference_count < min(ceil(2.618 / fpr), min_ramp_up_measurements);
3. INVALID if the z-score of the invalid rate against fpr is > 1;
4. ACTIVE otherwise.
"""

from __future__ import annotations

from node.proto.gonka.validation_pb2 import ExecutorRecord, ExecutorStatus, ValidationParams

PPM = 1_000_000
GOLDEN_SQUARED_PPM = 2_618_034  # (3 + sqrt 5) / 2, the reference's measurements factor
INVALID_PROBABILITY_PPM = 1  # 1e-6


def measurements_needed(params: ValidationParams) -> int:
    by_rate = -(-GOLDEN_SQUARED_PPM // params.false_positive_rate_ppm)  # ceil; params keep fpr > 0
    return min(by_rate, params.min_ramp_up_measurements)


def too_many_consecutive(consecutive: int, params: ValidationParams) -> bool:
    """fpr^k < 1e-6, i.e. fpr_ppm^k * 1e6 < INVALID_PROBABILITY_PPM * 1e6^k."""
    fpr = params.false_positive_rate_ppm
    return fpr**consecutive * PPM < INVALID_PROBABILITY_PPM * PPM**consecutive


def invalid_rate_too_high(validated: int, invalidated: int, params: ValidationParams) -> bool:
    """z = (invalid/n - p) / sqrt(p (1 - p) / n) > 1, squared and scaled to integers."""
    n = validated + invalidated
    p = params.false_positive_rate_ppm
    excess = invalidated * PPM - p * n
    return n > 0 and excess > 0 and excess * excess > p * (PPM - p) * n


def calculate_status(
    record: ExecutorRecord, inference_count: int, params: ValidationParams
) -> tuple[ExecutorStatus, str]:
    """(status, reason)."""
    if too_many_consecutive(record.consecutive_invalid_inferences, params):
        return ExecutorStatus.INVALID, "consecutive_invalid_inferences"
    if inference_count < measurements_needed(params):
        return ExecutorStatus.RAMPING, "ramping_up"
    if invalid_rate_too_high(record.validated_inferences, record.invalidated_inferences, params):
        return ExecutorStatus.INVALID, "invalid_rate_z_score"
    return ExecutorStatus.ACTIVE, "active"
