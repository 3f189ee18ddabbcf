"""Algorithm 1 rule by rule, as step tables (see tables.py).

Unless said otherwise: four validators A-D of power 1, so 2f+1 = 3 and f+1 = 2,
and the proposer of round r is "ABCD"[r % 4] (checked in test_validators.py).
"""

import pytest

from node.chain.consensus.state_machine import (
    Decide,
    EquivocationFound,
    KnownValueInput,
    NeedValue,
    OwnValueInput,
    Propose,
    RequestValue,
    RoundValue,
    Step,
    TimeoutKind,
)
from node.chain.consensus.votes import NIL, Equivocation, VoteType

from .tables import (
    START,
    V,
    W,
    Row,
    lock_round0,
    machine,
    pc,
    precommit,
    proposal,
    prevote,
    pv,
    run,
    schedule,
    timeout,
    vote,
)

PROPOSE, PREVOTE, PRECOMMIT = TimeoutKind.PROPOSE, TimeoutKind.PREVOTE, TimeoutKind.PRECOMMIT


# -- L11 StartRound ----------------------------------------------------------


def test_L18_proposer_asks_for_a_value_and_proposes_it():
    run(
        machine("A"),
        [
            Row("start: A proposes round 0 with no validValue", START, [RequestValue(0)],
                {"round": 0, "step": Step.PROPOSE}),
            Row("a value for another round is stale", OwnValueInput(1, V), []),
            Row("L19: the built block is proposed with vr = -1", OwnValueInput(0, V), [Propose(0, V, -1)]),
            Row("own proposal comes back: L22 prevote", proposal(0, V), [prevote(0, V)], {"step": Step.PREVOTE}),
            Row("a value arriving after the propose step is dropped", OwnValueInput(0, W), []),
        ],
    )


def test_L21_non_proposer_schedules_propose_timeout():
    run(machine("D"), [Row("start", START, [schedule(PROPOSE, 0)], {"round": 0, "step": Step.PROPOSE})])


def test_L14_proposer_reproposes_its_valid_value_with_its_round():
    run(
        machine("B"),  # proposer of round 1
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("L22", proposal(0, V), [prevote(0, V)]),
            Row("prevote A", pv("A", 0, V), []),
            Row("own prevote", pv("B", 0, V), []),
            Row("L34 + L36", pv("C", 0, V), [schedule(PREVOTE, 0), precommit(0, V)],
                {"valid": RoundValue(V, 0), "locked": RoundValue(V, 0)}),
            Row("nil precommit", pc("A", 0, NIL), []),
            Row("nil precommit", pc("C", 0, NIL), []),
            Row("L47", pc("D", 0, NIL), [schedule(PRECOMMIT, 0)]),
            Row("L65 -> round 1; B proposes validValue, vr = validRound; no RequestValue",
                timeout(PRECOMMIT, 0), [Propose(1, V, 0)], {"round": 1, "step": Step.PROPOSE}),
            Row("own proposal back: L28 with the round-0 polka, locked on it -> prevote", proposal(1, V, 0),
                [prevote(1, V)]),
        ],
    )


# -- L22 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "valid, expected",
    [(True, V), (False, NIL)],
    ids=["valid->prevote-v", "invalid->prevote-nil"],
)
def test_L22_prevote_depends_on_validity(valid, expected):
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("proposal", proposal(0, V, valid=valid), [prevote(0, expected)], {"step": Step.PREVOTE}),
            Row("a second proposal for the round is ignored", proposal(0, W), []),
        ],
    )


@pytest.mark.parametrize(
    "proposed, expected",
    [(V, NIL), (W, W)],
    ids=["locked-on-other->nil", "locked-on-it->prevote"],
)
def test_L22_locked_node_prevotes_only_its_locked_value(proposed, expected):
    run(
        machine("D"),
        lock_round0("D", W) + [Row("round 1 proposal, vr = -1", proposal(1, proposed), [prevote(1, expected)])],
    )


def test_proposals_from_the_wrong_proposer_or_with_a_bad_vr_are_ignored():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("B is not the round-0 proposer", proposal(0, V, by="B"), []),
            Row("vr must be < round", proposal(0, V, pol_round=0), []),
            Row("vr < -1 is malformed", proposal(0, V, pol_round=-2), []),
            Row("the real one still counts", proposal(0, W), [prevote(0, W)]),
        ],
    )


# -- L28 ---------------------------------------------------------------------


def _polka_in_round1_unseen_by_d(value):
    """After lock_round0("D", W): D times out of round 1 with nil votes while A, B, C
    form a polka for `value` in round 1 that D saw without the proposal."""
    return [
        Row("L57: no proposal in round 1 -> prevote nil", timeout(PROPOSE, 1), [prevote(1, NIL)]),
        Row("own nil prevote", pv("D", 1, NIL), []),
        Row("prevote A", pv("A", 1, value), []),
        Row("L34", pv("B", 1, value), [schedule(PREVOTE, 1)]),
        Row("3 prevotes for value: a polka, but no proposal so no L36", pv("C", 1, value), []),
        Row("L61", timeout(PREVOTE, 1), [precommit(1, NIL)]),
        Row("precommit A", pc("A", 1, NIL), []),
        Row("precommit B", pc("B", 1, NIL), []),
        Row("L47", pc("C", 1, NIL), [schedule(PRECOMMIT, 1)]),
        Row("L65 -> round 2 (C proposes)", timeout(PRECOMMIT, 1), [schedule(PROPOSE, 2)],
            {"round": 2, "locked": RoundValue(W, 0)}),
    ]


def test_L28_polka_newer_than_the_lock_unlocks():
    run(
        machine("D"),
        lock_round0("D", W)
        + _polka_in_round1_unseen_by_d(V)
        + [Row("proposal V, vr 1 >= lockedRound 0: prevote V", proposal(2, V, pol_round=1), [prevote(2, V)])],
    )


def test_L28_invalid_value_with_a_polka_gets_nil():
    run(
        machine("D"),
        lock_round0("D", W)
        + _polka_in_round1_unseen_by_d(V)
        + [Row("invalid", proposal(2, V, pol_round=1, valid=False), [prevote(2, NIL)])],
    )


def test_L28_polka_older_than_the_lock_gets_nil_unless_locked_on_it():
    # D sees a polka for V in round 0 without the proposal, then locks on W in round 1.
    round0 = [
        Row("start", START, [schedule(PROPOSE, 0)]),
        Row("L57", timeout(PROPOSE, 0), [prevote(0, NIL)]),
        Row("prevote A", pv("A", 0, V), []),
        Row("prevote B", pv("B", 0, V), []),
        Row("polka V in round 0 + L34", pv("C", 0, V), [schedule(PREVOTE, 0)]),
        Row("L61", timeout(PREVOTE, 0), [precommit(0, NIL)]),
        Row("precommit A", pc("A", 0, NIL), []),
        Row("precommit B", pc("B", 0, NIL), []),
        Row("L47", pc("C", 0, NIL), [schedule(PRECOMMIT, 0)]),
        Row("L65", timeout(PRECOMMIT, 0), [schedule(PROPOSE, 1)], {"round": 1}),
        Row("L22", proposal(1, W), [prevote(1, W)]),
        Row("prevote A", pv("A", 1, W), []),
        Row("prevote B", pv("B", 1, W), []),
        Row("L34 + L36: lock W in round 1", pv("C", 1, W), [schedule(PREVOTE, 1), precommit(1, W)],
            {"locked": RoundValue(W, 1)}),
        Row("precommit A", pc("A", 1, NIL), []),
        Row("precommit B", pc("B", 1, NIL), []),
        Row("L47", pc("C", 1, NIL), [schedule(PRECOMMIT, 1)]),
        Row("L65 -> round 2", timeout(PRECOMMIT, 1), [schedule(PROPOSE, 2)], {"round": 2}),
    ]
    run(machine("D"), round0 + [Row("V with vr 0 < lockedRound 1", proposal(2, V, pol_round=0), [prevote(2, NIL)])])
    run(machine("D"), round0 + [Row("W with vr 1: locked on it", proposal(2, W, pol_round=1), [prevote(2, W)])])


def test_L28_waits_for_the_polka_of_vr():
    run(
        machine("C"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("future proposal with vr 0 is stored", proposal(1, V, pol_round=0), []),
            Row("f+1 round-1 senders (proposer B + A): L55 to round 1, no polka yet -> wait",
                pv("A", 1, V), [schedule(PROPOSE, 1)], {"round": 1, "step": Step.PROPOSE}),
            Row("prevote A r0", pv("A", 0, V), []),
            Row("prevote B r0", pv("B", 0, V), []),
            Row("2f+1 prevotes for V in vr: L28 prevote V", pv("D", 0, V), [prevote(1, V)], {"step": Step.PREVOTE}),
        ],
    )


# -- L34, L36, L44 -------------------------------------------------------------


def test_L34_prevote_timeout_once_on_any_2f1_prevotes_and_only_in_prevote_step():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("prevote V", pv("A", 0, V), []),
            Row("prevote nil", pv("B", 0, NIL), []),
            Row("2f+1 mixed prevotes while still in propose step: nothing", pv("C", 0, W), []),
            Row("L57 -> prevote step, L34 fires now", timeout(PROPOSE, 0), [prevote(0, NIL), schedule(PREVOTE, 0)]),
            Row("4th prevote: not again", pv("D", 0, NIL), []),
        ],
    )


def test_L36_updates_valid_value_but_does_not_lock_after_precommitting():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("L57", timeout(PROPOSE, 0), [prevote(0, NIL)]),
            Row("prevote A", pv("A", 0, V), []),
            Row("prevote B", pv("B", 0, V), []),
            Row("L34", pv("D", 0, NIL), [schedule(PREVOTE, 0)]),
            Row("L61", timeout(PREVOTE, 0), [precommit(0, NIL)], {"step": Step.PRECOMMIT}),
            Row("polka V, proposal still missing", pv("C", 0, V), []),
            Row("proposal arrives: L36 in precommit step -> validValue only", proposal(0, V), [],
                {"valid": RoundValue(V, 0), "locked": None, "step": Step.PRECOMMIT}),
        ],
    )


def test_L36_locks_even_when_the_node_prevoted_nil():
    run(
        machine("D"),
        lock_round0("D", W)
        + [
            Row("locked on W: L22 prevote nil", proposal(1, V), [prevote(1, NIL)]),
            Row("prevote A", pv("A", 1, V), []),
            Row("prevote B", pv("B", 1, V), []),
            Row("polka V in round 1: lock V, precommit V", pv("C", 1, V), [schedule(PREVOTE, 1), precommit(1, V)],
                {"locked": RoundValue(V, 1), "valid": RoundValue(V, 1)}),
        ],
    )


def test_L36_ignores_a_polka_for_an_invalid_proposal():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("invalid", proposal(0, V, valid=False), [prevote(0, NIL)]),
            Row("prevote A", pv("A", 0, V), []),
            Row("prevote B", pv("B", 0, V), []),
            Row("polka for an invalid value: L34 only", pv("C", 0, V), [schedule(PREVOTE, 0)],
                {"locked": None, "valid": None, "step": Step.PREVOTE}),
        ],
    )


def test_L36_needs_the_prevote_step():
    # A proposal whose vr polka is missing leaves C in the propose step (L28 waits);
    # a polka for it in the current round must not make C precommit before prevoting.
    run(
        machine("C"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("round-1 proposal from B with vr 0", proposal(1, V, pol_round=0), []),
            Row("L55 to round 1", pv("A", 1, V), [schedule(PROPOSE, 1)], {"round": 1}),
            Row("prevote B", pv("B", 1, V), []),
            Row("polka V in round 1, but C is still in the propose step", pv("D", 1, V), [],
                {"step": Step.PROPOSE, "locked": None}),
            Row("L57 prevote nil, then L34 and L36 lock + precommit", timeout(PROPOSE, 1),
                [prevote(1, NIL), schedule(PREVOTE, 1), precommit(1, V)], {"locked": RoundValue(V, 1)}),
        ],
    )


def test_L44_precommit_nil_on_2f1_nil_prevotes():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("L22", proposal(0, V), [prevote(0, V)]),
            Row("nil A", pv("A", 0, NIL), []),
            Row("nil B", pv("B", 0, NIL), []),
            Row("own V: 2f+1 any -> L34", pv("D", 0, V), [schedule(PREVOTE, 0)]),
            Row("nil C: 2f+1 nil -> L44", pv("C", 0, NIL), [precommit(0, NIL)],
                {"step": Step.PRECOMMIT, "locked": None}),
        ],
    )


# -- L47, L49 ----------------------------------------------------------------


def test_L47_precommit_timeout_once_in_any_step():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("precommit V", pc("A", 0, V), []),
            Row("precommit nil", pc("B", 0, NIL), []),
            Row("2f+1 mixed precommits in propose step -> L47", pc("C", 0, W), [schedule(PRECOMMIT, 0)]),
            Row("4th: not again", pc("D", 0, NIL), []),
        ],
    )


def test_L49_decides_in_the_current_round_and_then_ignores_everything():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("L22", proposal(0, V), [prevote(0, V)]),
            Row("precommit A", pc("A", 0, V), []),
            Row("precommit B", pc("B", 0, V), []),
            Row("2f+1 precommits V + proposal V -> decide", pc("C", 0, V),
                [Decide(0, V, (vote(VoteType.PRECOMMIT, "A", 0, V), vote(VoteType.PRECOMMIT, "B", 0, V),
                               vote(VoteType.PRECOMMIT, "C", 0, V)))],
                {"step": Step.COMMIT}),
            Row("after the decision: inputs are ignored", timeout(PRECOMMIT, 0), []),
            Row("even equivocations", pc("A", 0, W), []),
        ],
    )


def test_L49_decides_on_an_earlier_round_after_moving_on():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("L22", proposal(0, V), [prevote(0, V)]),
            Row("precommit A r0", pc("A", 0, V), []),
            Row("L57 is stale in prevote step", timeout(PROPOSE, 0), []),
            Row("round-2 prevote A", pv("A", 2, NIL), []),
            Row("round-2 prevote B: f+1 -> L55", pv("B", 2, NIL), [schedule(PROPOSE, 2)], {"round": 2}),
            Row("precommit B r0", pc("B", 0, V), []),
            Row("precommit C r0: 2f+1 in round 0 -> decide round 0", pc("C", 0, V),
                [Decide(0, V, (vote(VoteType.PRECOMMIT, "A", 0, V), vote(VoteType.PRECOMMIT, "B", 0, V),
                               vote(VoteType.PRECOMMIT, "C", 0, V)))],
                {"round": 2}),
        ],
    )


def test_L49_decides_on_a_later_round_without_entering_it():
    # Powers 1,1,1,10: D alone is 2f+1. A learnt the round-3 block by sync.
    weighted = {"A": 1, "B": 1, "C": 1, "D": 10}
    sm = machine("C", weighted)
    sm.start()
    run(
        sm,
        [
            Row("block fetched: no quorum yet", KnownValueInput(V, True), []),
            Row("D's round-3 precommit is a quorum: decide before skipping", pc("D", 3, V),
                [Decide(3, V, (vote(VoteType.PRECOMMIT, "D", 3, V),))], {"round": 0}),
        ],
    )


def test_L49_unknown_block_asks_for_it_once_then_decides():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("precommit A", pc("A", 0, V), []),
            Row("precommit B", pc("B", 0, V), []),
            Row("quorum on an unknown block: NeedValue, then L47", pc("C", 0, V),
                [NeedValue(0, V), schedule(PRECOMMIT, 0)], {"decision": None}),
            Row("no second NeedValue", pc("D", 0, V), []),
            Row("an unrelated block", KnownValueInput(W, True), []),
            Row("the block arrives", KnownValueInput(V, True),
                [Decide(0, V, tuple(vote(VoteType.PRECOMMIT, n, 0, V) for n in "ABCD"))]),
        ],
    )


def test_L49_never_decides_an_invalid_block():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("invalid", proposal(0, V, valid=False), [prevote(0, NIL)]),
            Row("precommit A", pc("A", 0, V), []),
            Row("precommit B", pc("B", 0, V), []),
            Row("2f+1 precommits for an invalid value: only L47", pc("C", 0, V), [schedule(PRECOMMIT, 0)],
                {"decision": None}),
            Row("nor does a later fetch flip its validity", KnownValueInput(V, True), [], {"decision": None}),
        ],
    )


def test_nil_precommit_quorum_is_not_a_decision():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("nil A", pc("A", 0, NIL), []),
            Row("nil B", pc("B", 0, NIL), []),
            Row("nil C: L47 only", pc("C", 0, NIL), [schedule(PRECOMMIT, 0)], {"decision": None}),
        ],
    )


# -- L55 ---------------------------------------------------------------------


def test_L55_skips_on_f_plus_1_senders_of_a_higher_round():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("one round-5 sender (f): stay", pv("A", 5, V), [], {"round": 0}),
            Row("the same sender again, other type: still f", pc("A", 5, V), [], {"round": 0}),
            Row("messages from an earlier round never skip", pv("B", 0, V), [], {"round": 0}),
            Row("second round-5 sender (f+1): go to round 5", pc("B", 5, NIL), [schedule(PROPOSE, 5)],
                {"round": 5, "step": Step.PROPOSE}),
        ],
    )


def test_L55_a_proposal_counts_as_its_proposers_message():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("proposal for round 2 from C", proposal(2, V), [], {"round": 0}),
            Row("A's round-2 prevote: f+1 -> round 2, where the stored proposal gets a prevote",
                pv("A", 2, V), [schedule(PROPOSE, 2), prevote(2, V)], {"round": 2, "step": Step.PREVOTE}),
        ],
    )


def test_L55_skip_counts_power_not_validators():
    weighted = {"A": 1, "B": 1, "C": 1, "D": 10}  # f+1 needs power > 13/3, i.e. 5
    rows = [Row("start", START, [schedule(PROPOSE, 0)])]
    rows += [Row(f"{n} (power 1) in round 4", pv(n, 4, NIL), [], {"round": 0}) for n in "AB"]
    rows += [Row("D (power 10) in round 4: skip", pv("D", 4, NIL), [schedule(PROPOSE, 4)], {"round": 4})]
    run(machine("C", weighted), rows)


# -- L57, L61, L65 -----------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, stale",
    [
        ([], timeout(PROPOSE, 1)),  # a future round
        ([], timeout(PREVOTE, 0)),  # wrong step (propose)
        ([proposal(0, V)], timeout(PROPOSE, 0)),  # already prevoted
        ([proposal(0, V), *(pv(n, 0, NIL) for n in "ABC")], timeout(PREVOTE, 0)),  # already precommitted (L44)
        ([*(pc(n, 0, NIL) for n in "ABC"), timeout(PRECOMMIT, 0)], timeout(PRECOMMIT, 0)),  # an old round
        ([*(pc(n, 0, NIL) for n in "ABC"), timeout(PRECOMMIT, 0)], timeout(PROPOSE, 0)),
    ],
)
def test_stale_timeouts_are_ignored(prefix, stale):
    sm = machine("D")
    sm.start()
    for inp in prefix:
        sm.handle(inp)
    before = (sm.round, sm.step, sm.locked, sm.valid)
    assert sm.handle(stale) == []
    assert (sm.round, sm.step, sm.locked, sm.valid) == before


def test_L57_L61_L65_timeouts_drive_an_empty_round_to_the_next():
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("L57", timeout(PROPOSE, 0), [prevote(0, NIL)], {"step": Step.PREVOTE}),
            Row("L61", timeout(PREVOTE, 0), [precommit(0, NIL)], {"step": Step.PRECOMMIT}),
            Row("L65 (with no L47 seen: still effective for the current round)", timeout(PRECOMMIT, 0),
                [schedule(PROPOSE, 1)], {"round": 1, "step": Step.PROPOSE, "locked": None}),
            Row("round 3 is D's: L55 via f+1 round-3 votes makes D ask for a value", pv("A", 3, NIL), []),
            Row("skip", pv("B", 3, NIL), [RequestValue(3)], {"round": 3}),
        ],
    )


# -- weighted quorums, equivocation ------------------------------------------------


def test_quorums_count_power_not_validators():
    weighted = {"A": 1, "B": 1, "C": 1, "D": 10}  # 2f+1 needs power > 26/3, i.e. 9
    rows = [
        Row("start", START, [schedule(PROPOSE, 0)]),
        Row("L22", proposal(0, V, powers=weighted), [prevote(0, V)]),
    ]
    rows += [Row(f"{n}: 3 of 4 validators but power 3", pv(n, 0, V), []) for n in "ABC"]
    rows += [Row("D: power 13 -> L34 + L36", pv("D", 0, V), [schedule(PREVOTE, 0), precommit(0, V)])]
    rows += [Row(f"{n} precommit", pc(n, 0, V), [], {"decision": None}) for n in "ABC"]
    rows += [Row("D precommit -> decide", pc("D", 0, V),
                 [Decide(0, V, tuple(vote(VoteType.PRECOMMIT, n, 0, V) for n in "ABCD"))])]
    run(machine("C", weighted), rows)


def test_equivocating_vote_is_reported_and_not_counted():
    first, second = vote(VoteType.PREVOTE, "A", 0, V), vote(VoteType.PREVOTE, "A", 0, W)
    run(
        machine("D"),
        [
            Row("start", START, [schedule(PROPOSE, 0)]),
            Row("L22", proposal(0, W), [prevote(0, W)]),
            Row("A prevotes V", pv("A", 0, V), []),
            Row("A also prevotes W: evidence, not counted", pv("A", 0, W),
                [EquivocationFound(Equivocation(first, second))]),
            Row("the same vote again is a plain duplicate", pv("A", 0, V), []),
            Row("B prevotes W", pv("B", 0, W), []),
            Row("own W: 3 prevotes but only 2 for W -> L34 only", pv("D", 0, W), [schedule(PREVOTE, 0)],
                {"locked": None}),
            Row("C prevotes W: now 2f+1 for W", pv("C", 0, W), [precommit(0, W)], {"locked": RoundValue(W, 0)}),
        ],
    )


@pytest.mark.timeout(2)
def test_a_proposal_for_an_absurd_round_is_cheap():
    sm = machine("D")
    sm.start()
    assert sm.handle(proposal(10**9, V, by="A")) == []
    assert sm.round == 0


def test_votes_from_non_validators_are_ignored():
    sm = machine("D")
    sm.start()
    for name in "XYZ":
        assert sm.handle(pc(name, 7, V)) == []
    assert sm.round == 0
    assert sm.votes.all_votes() == []
