"""Executor status (reference §5 calculateStatus) in integers."""

import pytest

from node.chain.app.params.profiles import resolve_params
from node.chain.app.validation.status import calculate_status, measurements_needed
from node.proto.gonka.validation_pb2 import ExecutorRecord, ExecutorStatus

PARAMS = resolve_params("mainnet", {}).validation  # fpr 0.05, min ramp-up 10


def status(inference_count: int, validated: int = 0, invalidated: int = 0, consecutive: int = 0) -> int:
    record = ExecutorRecord(
        validated_inferences=validated,
        invalidated_inferences=invalidated,
        consecutive_invalid_inferences=consecutive,
    )
    return calculate_status(record, inference_count, PARAMS)[0]


def test_measurements_needed_is_the_smaller_of_golden_ratio_and_minimum() -> None:
    assert measurements_needed(PARAMS) == 10  # min(ceil(2.618 / 0.05) = 53, 10)
    wide = resolve_params("mainnet", {"validation": {"min_ramp_up_measurements": 100}}).validation
    assert measurements_needed(wide) == 53


def test_five_consecutive_failures_are_invalid_four_are_not() -> None:
    # 0.05^4 = 6.25e-6 >= 1e-6; 0.05^5 = 3.1e-7 < 1e-6 -- even while ramping up
    assert status(3, invalidated=4, consecutive=4) == ExecutorStatus.RAMPING
    assert status(3, invalidated=5, consecutive=5) == ExecutorStatus.INVALID
    assert status(100, validated=95, invalidated=5, consecutive=4) == ExecutorStatus.ACTIVE


def test_ramping_until_enough_inferences() -> None:
    assert status(0) == ExecutorStatus.RAMPING
    assert status(9, validated=9) == ExecutorStatus.RAMPING
    assert status(10, validated=10) == ExecutorStatus.ACTIVE
    assert status(9, validated=5, invalidated=4) == ExecutorStatus.RAMPING  # a high rate does not count yet


@pytest.mark.parametrize(
    ("validated", "invalidated", "expected"),
    [
        (100, 0, ExecutorStatus.ACTIVE),
        (97, 3, ExecutorStatus.ACTIVE),  # below the 5 % expected rate
        (93, 7, ExecutorStatus.ACTIVE),  # z = 0.02 / sqrt(0.0475 / 100) = 0.92
        (92, 8, ExecutorStatus.INVALID),  # z = 0.03 / 0.0218 = 1.38
        (18, 2, ExecutorStatus.INVALID),  # z = 0.05 / sqrt(0.0475 / 20) = 1.026, just above 1
        (19, 1, ExecutorStatus.ACTIVE),  # exactly the expected rate: z = 0
    ],
)
def test_z_score_of_the_invalid_rate(validated: int, invalidated: int, expected: int) -> None:
    assert status(200, validated=validated, invalidated=invalidated) == expected
