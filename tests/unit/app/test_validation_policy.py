"""The should-validate rule (reference protocol.md §5), hand-computed from the reference formulas."""

import pytest

from node.chain.app.params.profiles import resolve_params
from node.core.hashing import sha256
from node.core.validation_policy import (
    FinishedInference,
    draw,
    min_validation_average_ppm,
    should_validate,
    target_validations_ppm,
    validation_probability,
)

MAINNET = resolve_params("mainnet", {}).validation  # cutoffs 100 / 10000, averages 0.01 / 0.05 / 1.0


@pytest.mark.parametrize(
    ("traffic", "expected_ppm"),
    [
        (0, 1_000_000),
        (100, 1_000_000),  # min-traffic cutoff: still the max
        (2_550, 525_000),  # halfway between 100 and 5000: (1.0 + 0.05) / 2
        (4_999, 50_193),  # 1.0 - 0.95 * 4899/4900 = 0.0501938..., floored
        (5_000, 50_000),  # full/2: the halfway average
        (7_500, 30_000),  # halfway between 0.05 and 0.01
        (10_000, 10_000),
        (1_000_000, 10_000),
    ],
)
def test_min_validation_average_by_traffic(traffic: int, expected_ppm: int) -> None:
    assert min_validation_average_ppm(traffic, MAINNET) == expected_ppm


@pytest.mark.parametrize(
    ("traffic", "reputation", "expected_ppm"),
    [
        (10_000, 100, 10_000),  # fully reputed, heavy traffic: ~1 % of one validator
        (10_000, 0, 1_000_000),  # new executor: one validator per inference
        (10_000, 50, 505_000),  # 0.01 + 0.99 * 0.5
        (7_500, 80, 224_000),  # 0.03 + 0.97 * 0.2
        (50, 100, 1_000_000),  # light traffic: everything validated
        (10_000, 150, 10_000),  # reputation is clamped to 100
    ],
)
def test_target_by_traffic_and_reputation(traffic: int, reputation: int, expected_ppm: int) -> None:
    assert target_validations_ppm(traffic, reputation, MAINNET) == expected_ppm


def finished(**fields: object) -> FinishedInference:
    values: dict[str, object] = {
        "inference_id": "id",
        "executor": "exec",
        "executor_power": 20,
        "executor_reputation": 50,
        "total_power": 100,
        "traffic_basis": 10_000,
    }
    return FinishedInference(**(values | fields))  # type: ignore[arg-type]


def test_probability_is_target_times_share_of_the_others_power() -> None:
    # target 0.505; validator 40 of the 80 non-executor power: p = 0.505 * 40 / 80 = 0.2525
    numerator, denominator = validation_probability(40, finished(), MAINNET)
    assert numerator * 10_000 // denominator == 2525
    # a new executor (target 1.0) and a validator holding all other power: p capped at 1
    assert validation_probability(80, finished(executor_reputation=0), MAINNET) == (80_000_000, 80_000_000)
    assert validation_probability(10, finished(executor_power=100), MAINNET)[0] == 0  # total <= executor
    assert validation_probability(0, finished(), MAINNET)[0] == 0


def test_draw_is_the_first_eight_bytes_of_the_seeded_hash() -> None:
    assert draw(42, "abc") == int.from_bytes(sha256(b"42:abc")[:8], "big")


def test_verdict_compares_the_draw_with_p_exactly() -> None:
    inference = finished(inference_id="x")
    r = draw(7, "x") / (2**64 - 1)
    numerator, denominator = validation_probability(40, inference, MAINNET)
    assert should_validate(7, "v", 40, inference, MAINNET) is (r < numerator / denominator)
    assert should_validate(7, "v", 80, finished(inference_id="x", executor_reputation=0), MAINNET)  # p = 1
    assert not should_validate(7, "exec", 80, finished(inference_id="x", executor_reputation=0), MAINNET)  # own
    assert not should_validate(7, "v", 80, finished(inference_id="x", executor_power=100), MAINNET)


@pytest.mark.parametrize(
    ("reputation", "validator_power", "expected"), [(100, 80, 0.01), (50, 40, 0.2525), (0, 8, 0.1)]
)
def test_validation_rate_over_many_inferences_matches_p(reputation: int, validator_power: int, expected: float) -> None:
    samples = 40_000
    inferences = (finished(inference_id=f"i{n}", executor_reputation=reputation) for n in range(samples))
    hits = sum(should_validate(99, "v", validator_power, inference, MAINNET) for inference in inferences)
    tolerance = 4 * (expected * (1 - expected) / samples) ** 0.5  # 4 sigma of the binomial
    assert abs(hits / samples - expected) < tolerance
