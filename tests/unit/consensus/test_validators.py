"""ValidatorSet: quorum thresholds and CometBFT's weighted proposer rotation."""

from collections import Counter

import pytest

from node.chain.consensus.validators import Validator, ValidatorSet, ValidatorUpdate

from .tables import addr, name_key, validator_set


@pytest.mark.parametrize(
    "total, power, two_thirds, one_third",
    [
        (3, 1, False, False),  # exactly 1/3 is not "more than 1/3"
        (3, 2, False, True),  # exactly 2/3 is not a quorum
        (3, 3, True, True),
        (4, 1, False, False),  # n = 3f+1 = 4: f = 1
        (4, 2, False, True),  # f+1
        (4, 3, True, True),  # 2f+1
        (13, 4, False, False),  # powers 1,1,1,10
        (13, 5, False, True),
        (13, 8, False, True),
        (13, 9, True, True),
    ],
)
def test_thresholds_are_strictly_more_than_a_fraction_of_total_power(total, power, two_thirds, one_third):
    vs = ValidatorSet([Validator(addr("A"), name_key("A"), total)])
    assert vs.has_two_thirds(power) is two_thirds
    assert vs.has_one_third(power) is one_third


def test_invalid_sets_are_rejected():
    with pytest.raises(ValueError):
        ValidatorSet([Validator(addr("A"), name_key("A"), 1), Validator(addr("A"), name_key("B"), 2)])
    with pytest.raises(ValueError):
        validator_set({"A": 1, "B": 0})


def test_equal_power_rotates_in_address_order_over_rounds_and_heights():
    vs = validator_set({"C": 1, "A": 1, "D": 1, "B": 1})
    assert [vs.proposer_for_round(r).address for r in range(8)] == [addr(n) for n in "ABCDABCD"]
    heights, current = [], vs
    for _ in range(8):
        heights.append(current.proposer().address)
        current = current.incremented(1)
    assert heights == [addr(n) for n in "ABCDABCD"]


def _proposals_over_heights(vs: ValidatorSet, heights: int) -> Counter[bytes]:
    counts: Counter[bytes] = Counter()
    for _ in range(heights):
        counts[vs.proposer().address] += 1
        vs = vs.incremented(1)
    return counts


@pytest.mark.parametrize("powers", [{"A": 1, "B": 1, "C": 1, "D": 10}, {"A": 1, "B": 2, "C": 3, "D": 4}])
def test_proposal_frequency_is_proportional_to_power(powers):
    vs = validator_set(powers)
    total = sum(powers.values())
    periods = 50
    expected = {addr(n): p * periods for n, p in powers.items()}
    assert _proposals_over_heights(vs, total * periods) == expected
    by_round = Counter(vs.proposer_for_round(r).address for r in range(total * 3))
    assert by_round == {addr(n): p * 3 for n, p in powers.items()}


def test_proposer_sequence_is_deterministic_and_independent_of_input_order():
    powers = {"A": 3, "B": 1, "C": 7, "D": 2}
    forward = validator_set(powers)
    backward = ValidatorSet(reversed(forward.validators))
    restored = ValidatorSet.from_json(forward.incremented(5).to_json())
    assert forward == backward
    assert restored == forward.incremented(5)
    for r in range(30):
        assert forward.proposer_for_round(r) == backward.proposer_for_round(r)
        assert restored.proposer_for_round(r) == forward.incremented(5).proposer_for_round(r)


def test_priorities_stay_centred_and_within_the_window():
    vs = validator_set({"A": 1, "B": 50, "C": 1000})
    for _ in range(200):
        vs = vs.incremented(1)
        priorities = [v.priority for v in vs.validators]
        assert max(priorities) - min(priorities) <= 2 * vs.total_power + max(v.power for v in vs.validators)
        assert abs(sum(priorities)) <= vs.total_power


def test_rescaling_caps_an_extreme_priority_spread():
    vs = ValidatorSet(
        [Validator(addr("A"), name_key("A"), 1, 10**6), Validator(addr("B"), name_key("B"), 2, -(10**6))]
    )
    priorities = [v.priority for v in vs.incremented(1).validators]
    assert max(priorities) - min(priorities) <= 3 * vs.total_power  # window 2P, then one step of at most P


def test_newcomer_starts_at_minus_1_125_total_power():
    vs = validator_set({"A": 1, "B": 1, "C": 1})  # priorities all 0
    updated = vs.with_updates([ValidatorUpdate(addr("D"), name_key("D"), 13)])
    new_total = 16
    priority = {v.address: v.priority for v in updated.validators}
    assert priority[addr("D")] - priority[addr("A")] == -(new_total + new_total // 8)  # -1.125 * 16 = -18
    assert priority[addr("A")] == priority[addr("B")] == priority[addr("C")]
    assert 0 <= sum(priority.values()) < len(priority)  # centred (floor average)
    assert updated.total_power == new_total
    assert updated.proposer().address != addr("D")  # a big newcomer does not propose at once


def test_updates_change_power_and_remove_at_zero_keeping_priorities():
    vs = validator_set({"A": 1, "B": 2, "C": 3, "D": 4}).incremented(3)
    before = {v.address: v.priority for v in vs.validators}
    updated = vs.with_updates(
        [ValidatorUpdate(addr("B"), name_key("B"), 0), ValidatorUpdate(addr("C"), name_key("C"), 9)]
    )
    assert addr("B") not in updated and updated.get(addr("B")) is None
    assert updated.power_of(addr("C")) == 9 and updated.total_power == 14
    after = {v.address: v.priority for v in updated.validators}
    shift = after[addr("A")] - before[addr("A")]  # only re-centred: relative priorities kept
    assert after[addr("C")] - before[addr("C")] == shift and after[addr("D")] - before[addr("D")] == shift


def test_updates_are_deterministic_and_order_independent():
    vs = validator_set({"A": 1, "B": 2, "C": 3}).incremented(2)
    updates = [
        ValidatorUpdate(addr("D"), name_key("D"), 5),
        ValidatorUpdate(addr("A"), name_key("A"), 0),
        ValidatorUpdate(addr("E"), name_key("E"), 2),
    ]
    assert vs.with_updates(updates) == vs.with_updates(list(reversed(updates)))
    assert vs.with_updates(updates).hash() == vs.with_updates(updates).hash()


def test_invalid_updates_are_rejected():
    vs = validator_set({"A": 1, "B": 1})
    with pytest.raises(ValueError):
        vs.with_updates([ValidatorUpdate(addr("A"), name_key("A"), 2), ValidatorUpdate(addr("A"), name_key("A"), 3)])
    with pytest.raises(ValueError):
        vs.with_updates([ValidatorUpdate(addr(n), name_key(n), 0) for n in "AB"])


def test_hash_commits_to_membership_and_power_not_priorities():
    vs = validator_set({"A": 1, "B": 2})
    assert vs.incremented(3).hash() == vs.hash()
    assert vs.with_updates([ValidatorUpdate(addr("B"), name_key("B"), 3)]).hash() != vs.hash()
    assert vs.with_updates([ValidatorUpdate(addr("C"), name_key("C"), 1)]).hash() != vs.hash()
