"""Step tables for the pure consensus core, in the style of malachite's driver tests.

A table is a list of `Row`s: one input (or `START` for `start()`), the exact effects
expected, and the state fields expected afterwards. Validators are named by one
letter; with equal power the proposer of round r is "ABCD"[r % 4].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from node.chain.consensus.state_machine import (
    CastVote,
    Effect,
    HeightStateMachine,
    Input,
    ProposalInput,
    RoundValue,
    ScheduleTimeout,
    TimeoutInput,
    TimeoutKind,
    VoteInput,
)
from node.chain.consensus.validators import Validator, ValidatorSet
from node.chain.consensus.votes import NIL, VoteRecord, VoteType
from node.core.hashing import sha256

V = sha256(b"block v")
W = sha256(b"block w")

START = None  # a row whose input is START calls machine.start()


def addr(name: str) -> bytes:
    return name.encode() * 20


def validator_set(powers: dict[str, int]) -> ValidatorSet:
    return ValidatorSet(Validator(addr(n), name_key(n), p) for n, p in powers.items())


def name_key(name: str) -> bytes:
    return sha256(b"key " + name.encode())


EQUAL = {"A": 1, "B": 1, "C": 1, "D": 1}


def machine(me: str, powers: dict[str, int] = EQUAL, height: int = 1) -> HeightStateMachine:
    return HeightStateMachine(height, validator_set(powers), addr(me))


# -- inputs -----------------------------------------------------------------


def vote(kind: VoteType, name: str, round_: int, value: bytes) -> VoteRecord:
    return VoteRecord(kind, round_, value, addr(name))


def pv(name: str, round_: int, value: bytes) -> VoteInput:
    return VoteInput(vote(VoteType.PREVOTE, name, round_, value))


def pc(name: str, round_: int, value: bytes) -> VoteInput:
    return VoteInput(vote(VoteType.PRECOMMIT, name, round_, value))


def proposal(
    round_: int,
    value: bytes,
    pol_round: int = -1,
    valid: bool = True,
    by: str | None = None,
    powers: dict[str, int] = EQUAL,
) -> ProposalInput:
    """A proposal signed by `by`, or by the rightful proposer of `round_` when omitted."""
    proposer = addr(by) if by else validator_set(powers).proposer_for_round(round_).address
    return ProposalInput(round_, pol_round, value, proposer, valid)


def timeout(kind: TimeoutKind, round_: int) -> TimeoutInput:
    return TimeoutInput(kind, round_)


# -- effects ----------------------------------------------------------------


def prevote(round_: int, value: bytes) -> CastVote:
    return CastVote(VoteType.PREVOTE, round_, value)


def precommit(round_: int, value: bytes) -> CastVote:
    return CastVote(VoteType.PRECOMMIT, round_, value)


def schedule(kind: TimeoutKind, round_: int) -> ScheduleTimeout:
    return ScheduleTimeout(kind, round_)


# -- tables -----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    desc: str
    input: Input | None
    effects: Sequence[Effect]
    state: dict[str, Any] = field(default_factory=dict)  # attribute name -> expected value


def run(sm: HeightStateMachine, rows: Sequence[Row]) -> None:
    for i, row in enumerate(rows):
        out = sm.start() if row.input is START else sm.handle(row.input)
        assert out == list(row.effects), f"row {i} ({row.desc}): effects {out}"
        for name, expected in row.state.items():
            actual = getattr(sm, name)
            assert actual == expected, f"row {i} ({row.desc}): {name} = {actual!r}, expected {expected!r}"


def lock_round0(me: str, value: bytes) -> list[Row]:
    """`me` (not proposer of rounds 0-1) locks on `value` in round 0, the others precommit nil,
    and the precommit timeout takes it to round 1 still locked."""
    assert me not in "AB"
    others = [n for n in "ABCD" if n != me]
    return [
        Row("start: not the proposer -> propose timeout (L21)", START, [schedule(TimeoutKind.PROPOSE, 0)]),
        Row("L22: valid proposal -> prevote it", proposal(0, value), [prevote(0, value)]),
        Row("own prevote", pv(me, 0, value), []),
        Row("2nd prevote", pv(others[0], 0, value), []),
        Row(
            "2f+1 prevotes for it: L34 timeout, then L36 lock + precommit",
            pv(others[1], 0, value),
            [schedule(TimeoutKind.PREVOTE, 0), precommit(0, value)],
            {"locked": RoundValue(value, 0), "valid": RoundValue(value, 0)},
        ),
        Row("own precommit", pc(me, 0, value), []),
        Row("nil precommit", pc(others[0], 0, NIL), []),
        Row("2f+1 precommits (any): L47", pc(others[1], 0, NIL), [schedule(TimeoutKind.PRECOMMIT, 0)]),
        Row(
            "L65: precommit timeout -> round 1, still locked",
            timeout(TimeoutKind.PRECOMMIT, 0),
            [schedule(TimeoutKind.PROPOSE, 1)],
            {"round": 1, "locked": RoundValue(value, 0)},
        ),
    ]
