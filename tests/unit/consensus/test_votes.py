"""HeightVotes: power tallies per (round, type), duplicates and equivocations."""

from node.chain.consensus.votes import NIL, Equivocation, HeightVotes, VoteType

from .tables import V, W, addr, vote

POWERS = {addr("A"): 1, addr("B"): 2, addr("C"): 3}
PREVOTE, PRECOMMIT = VoteType.PREVOTE, VoteType.PRECOMMIT


def test_tallies_power_per_value_and_in_total():
    votes = HeightVotes(POWERS)
    assert votes.add(vote(PREVOTE, "A", 0, V)) == (True, None)
    assert votes.add(vote(PREVOTE, "B", 0, NIL)) == (True, None)
    assert votes.add(vote(PREVOTE, "C", 0, V)) == (True, None)
    tally = votes.get(0, PREVOTE)
    assert tally.power_by_hash == {V: 4, NIL: 2} and tally.total_power == 6
    assert votes.power_for(0, PREVOTE, V) == 4 and votes.power_for(0, PREVOTE, W) == 0
    assert votes.get(0, PRECOMMIT).total_power == 0 and votes.get(1, PREVOTE).total_power == 0


def test_duplicate_is_ignored_and_conflict_is_evidence_not_counted():
    votes = HeightVotes(POWERS)
    first = vote(PREVOTE, "B", 2, V)
    votes.add(first)
    assert votes.add(vote(PREVOTE, "B", 2, V)) == (False, None)
    second = vote(PREVOTE, "B", 2, NIL)  # nil counts as a value
    assert votes.add(second) == (False, Equivocation(first, second))
    assert votes.get(2, PREVOTE).power_by_hash == {V: 2}
    assert votes.get(2, PREVOTE).by_validator == {addr("B"): first}


def test_prevote_and_precommit_or_two_rounds_are_not_equivocation():
    votes = HeightVotes(POWERS)
    for kind, round_, value in [(PREVOTE, 0, V), (PRECOMMIT, 0, W), (PREVOTE, 1, W)]:
        assert votes.add(vote(kind, "A", round_, value)) == (True, None)
    assert votes.rounds() == {0, 1}
    assert votes.voters_in_round(0) == {addr("A")}
    assert len(votes.all_votes()) == 3


def test_votes_of_unknown_validators_are_dropped():
    votes = HeightVotes(POWERS)
    assert votes.add(vote(PREVOTE, "Z", 0, V)) == (False, None)
    assert votes.rounds() == set() and votes.all_votes() == []


def test_voters_in_round_joins_both_vote_types():
    votes = HeightVotes(POWERS)
    votes.add(vote(PREVOTE, "A", 3, V))
    votes.add(vote(PRECOMMIT, "B", 3, NIL))
    votes.add(vote(PRECOMMIT, "C", 4, NIL))
    assert votes.voters_in_round(3) == {addr("A"), addr("B")}
