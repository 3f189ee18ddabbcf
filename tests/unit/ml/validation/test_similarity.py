import pytest

from node.ml.inference.runner import TokenLogprobs
from node.ml.validation.similarity import position_distance, similarity


def mine(*top: tuple[int, float]) -> TokenLogprobs:
    return TokenLogprobs(top[0][0], top[0][1], top)


def test_identical_logprobs_are_at_distance_zero():
    assert position_distance(mine((1, -0.5), (2, -1.5)), {1: -0.5, 2: -1.5}) == 0.0


def test_each_token_adds_its_relative_difference_over_two():
    # |-1 - -2| / (1 + 2) / 2 = 1/6 for token 1; token 2 equal; mean over K=2.
    assert position_distance(mine((1, -1.0), (2, -3.0)), {1: -2.0, 2: -3.0}) == pytest.approx((1 / 6 + 0) / 2, rel=1e-5)


def test_a_token_the_executor_did_not_report_gets_an_extrapolated_value():
    # Executor's two smallest: -2 and -1 -> missing = -2 - (-1 - -2) = -3.
    d = position_distance(mine((1, -1.0), (9, -3.0)), {1: -1.0, 2: -2.0})
    assert d == pytest.approx(0.0, abs=1e-6)
    d = position_distance(mine((1, -1.0), (9, -4.0)), {1: -1.0, 2: -2.0})
    assert d == pytest.approx((1 / 7 / 2) / 2, rel=1e-5)


def test_a_single_reported_token_stands_in_for_the_missing_ones():
    assert position_distance(mine((1, -1.0), (9, -2.0)), {1: -1.0}) == pytest.approx((1 / 3 / 2) / 2, rel=1e-5)


def test_nothing_reported_is_the_maximum_distance():
    assert position_distance(mine((1, -1.0)), {}) == 0.5


def test_the_validator_needs_a_top_list():
    with pytest.raises(ValueError):
        position_distance(TokenLogprobs(1, -1.0, ()), {1: -1.0})


def test_similarity_divides_by_at_least_one_hundred_positions():
    assert similarity([0.2] * 10) == pytest.approx(1 - 2 / 100)
    assert similarity([0.2] * 200) == pytest.approx(0.8)
    assert similarity([]) == 1.0
