"""Weight maths (node/core/weights.py): power capping as reference §3, with hand-computed examples."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from node.core.weights import PPM, cap_powers, cap_ppm_for, collateral_adjusted_weight

CAP = 250_000  # max_individual_power_percentage 0.25


@pytest.mark.parametrize(
    ("powers", "capped"),
    [
        # k=3: 100 > 0.25·(30 + 100) → cap = 0.25·30 / (1 − 0.25) = 10
        ([10, 10, 10, 100], [10, 10, 10, 10]),
        # k=2: 20 > 0.25·(15 + 20·3) = 18.75 → cap = 0.25·15 / (1 − 0.75) = 15
        ([5, 10, 20, 30, 100], [5, 10, 15, 15, 15]),
        # input order is kept
        ([100, 5, 30, 10, 20], [15, 5, 15, 10, 15]),
        # nobody above 25%: unchanged (k never found)
        ([10, 10, 10, 10], [10, 10, 10, 10]),
        # 3 participants, cap 0.4: k=2: 100 > 0.4·(20 + 100) = 48 → 0.4·20 / 0.6 = 13.33 → 13
        ([10, 10, 100], [10, 10, 13]),
        # 2 participants, cap 0.5: k=1: 100 > 0.5·101 → 0.5·1 / 0.5 = 1
        ([1, 100], [1, 1]),
        # 1 participant, cap 1.0: never capped
        ([100], [100]),
        ([], []),
    ],
)
def test_hand_computed_examples(powers: list[int], capped: list[int]) -> None:
    assert cap_powers(powers, CAP) == capped


def test_zero_weights_do_not_zero_the_network() -> None:
    """Reference issue #1395: counting zero weights made the cap 0 for everyone."""
    # Two real participants → the 2-participant cap 0.5 applies: [5, 100] → [5, 5]; zeros stay 0.
    assert cap_powers([0, 0, 5, 100], CAP) == [0, 0, 5, 5]
    assert cap_powers([0, 7], CAP) == [0, 7]
    assert cap_powers([0, 0, 0], CAP) == [0, 0, 0]


def test_small_network_caps_are_raised_never_lowered() -> None:
    assert [cap_ppm_for(n, CAP) for n in (1, 2, 3, 4, 10)] == [PPM, 500_000, 400_000, CAP, CAP]
    assert cap_ppm_for(3, 600_000) == 600_000


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=12))
def test_capping_never_raises_a_power_and_bounds_the_top_share(powers: list[int]) -> None:
    capped = cap_powers(powers, CAP)
    assert all(0 <= c <= p for c, p in zip(capped, powers, strict=True))
    positive = [p for p in powers if p > 0]
    if positive:
        assert max(capped) > 0
        # The capped top share is within the cap, up to the floor of the clip value.
        total = sum(capped)
        cap = cap_ppm_for(len(positive), CAP)
        assert max(capped) * PPM <= cap * total + PPM * len(positive)


def test_collateral_adjustment() -> None:
    # 0.2·W always; the other 0.8·W only as far as collateral / per-unit covers it.
    assert collateral_adjusted_weight(100, 0, 200_000, 1000) == 20
    assert collateral_adjusted_weight(100, 50, 200_000, 1000) == 70
    assert collateral_adjusted_weight(100, 10**9, 200_000, 1000) == 100
    assert collateral_adjusted_weight(100, 42, 200_000, 4200) == 30  # mainnet 4.2 ngonka per unit: 10 units
