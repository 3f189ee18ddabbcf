"""The Tendermint consensus algorithm for one height, as a pure state machine.

Inputs go in through `handle(input)`; the returned effects tell the driver what to
do (sign and broadcast a vote, build a block, schedule a timeout, commit). There is
no I/O, no clock and no randomness here, so every rule can be tested with plain
values. Comments `L22` … `L65` point at the lines of Algorithm 1 in "The latest
gossip on BFT consensus" (Buchman, Kwon, Milosevic, 2018).

Deviations from the paper, all standard in implementations:
- A value is identified by its block hash; `valid(v)` is decided by the driver
  (structure + app ProcessProposal) and passed in with the proposal.
- L49 decides on any known valid value with a precommit quorum, wherever that
  value was learnt (a proposal of any round, or a block fetched by sync).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import Any, Union

from node.chain.consensus.validators import ValidatorSet
from node.chain.consensus.votes import NIL, Equivocation, HeightVotes, VoteRecord, VoteType


# Inputs for rounds further ahead are dropped: a Byzantine validator could otherwise make a
# node compute millions of proposer rotations or store votes for endless rounds. Honest
# peers re-send their messages, so a lagging node still hears the round it reaches.
MAX_ROUND_LOOKAHEAD = 100


class Step(IntEnum):
    PROPOSE = 0
    PREVOTE = 1
    PRECOMMIT = 2
    COMMIT = 3


class TimeoutKind(Enum):
    PROPOSE = "propose"
    PREVOTE = "prevote"
    PRECOMMIT = "precommit"


# -- inputs -----------------------------------------------------------------


@dataclass(frozen=True)
class ProposalInput:
    round: int
    pol_round: int  # -1 when none
    block_hash: bytes
    proposer: bytes
    valid: bool  # valid(v): the block passed structural checks and ProcessProposal
    signed: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class VoteInput:
    vote: VoteRecord


@dataclass(frozen=True)
class TimeoutInput:
    kind: TimeoutKind
    round: int


@dataclass(frozen=True)
class OwnValueInput:
    """The block this node built after a RequestValue effect."""

    round: int
    block_hash: bytes


@dataclass(frozen=True)
class KnownValueInput:
    """A block learnt outside a proposal (e.g. fetched from a peer), with its validity."""

    block_hash: bytes
    valid: bool


Input = Union[ProposalInput, VoteInput, TimeoutInput, OwnValueInput, KnownValueInput]


# -- effects ----------------------------------------------------------------


@dataclass(frozen=True)
class RequestValue:
    round: int


@dataclass(frozen=True)
class Propose:
    round: int
    block_hash: bytes
    pol_round: int


@dataclass(frozen=True)
class CastVote:
    type: VoteType
    round: int
    block_hash: bytes


@dataclass(frozen=True)
class ScheduleTimeout:
    kind: TimeoutKind
    round: int


@dataclass(frozen=True)
class Decide:
    round: int
    block_hash: bytes
    precommits: tuple[VoteRecord, ...]


@dataclass(frozen=True)
class EquivocationFound:
    equivocation: Equivocation


@dataclass(frozen=True)
class NeedValue:
    """A quorum precommitted a block this node has never seen: fetch it."""

    round: int
    block_hash: bytes


Effect = Union[RequestValue, Propose, CastVote, ScheduleTimeout, Decide, EquivocationFound, NeedValue]


@dataclass(frozen=True)
class RoundValue:
    block_hash: bytes
    round: int


class HeightStateMachine:
    """Algorithm 1 for a single height `height` with validator set `validators`."""

    def __init__(self, height: int, validators: ValidatorSet, own_address: bytes | None) -> None:
        self.height = height
        self.validators = validators
        self.own_address = own_address
        self.round = -1
        self.step = Step.PROPOSE
        self.locked: RoundValue | None = None
        self.valid: RoundValue | None = None
        self.decision: Decide | None = None
        self.votes = HeightVotes({v.address: v.power for v in validators.validators})
        self.proposals: dict[int, ProposalInput] = {}
        self.values: dict[bytes, bool] = {}  # block hash -> valid(v)
        self._fired: set[tuple[str, int]] = set()
        self._asked: set[bytes] = set()
        self.started = False
        self._proposers: list[bytes] = []
        self._rotation = validators

    # -- entry points ------------------------------------------------------

    def start(self) -> list[Effect]:
        """Enter round 0. Inputs handled before this are recorded and take effect now."""
        if self.started:
            return []
        self.started = True
        return self._start_round(0)

    def handle(self, inp: Input) -> list[Effect]:
        if self.decision is not None:
            return []
        effects: list[Effect] = []
        if isinstance(inp, ProposalInput):
            self._on_proposal(inp)
        elif isinstance(inp, VoteInput):
            if self._too_far_ahead(inp.vote.round):
                return effects
            added, equivocation = self.votes.add(inp.vote)
            if equivocation is not None:
                effects.append(EquivocationFound(equivocation))
            if not added:
                return effects
        elif isinstance(inp, TimeoutInput):
            if not self.started:
                return effects
            effects += self._on_timeout(inp)
        elif isinstance(inp, OwnValueInput):
            if inp.round == self.round and self.step == Step.PROPOSE:
                effects.append(Propose(inp.round, inp.block_hash, -1))  # L19
            return effects
        elif isinstance(inp, KnownValueInput):
            self.values.setdefault(inp.block_hash, inp.valid)
        if self.started:
            effects += self._apply_rules()
        return effects

    # -- internals ---------------------------------------------------------

    def proposer(self, round_: int) -> bytes:
        # the rotation is extended one round at a time, so asking for round r costs O(r) once
        while len(self._proposers) <= round_:
            self._proposers.append(self._rotation.proposer().address)
            self._rotation = self._rotation.incremented(1)
        return self._proposers[round_]

    def _too_far_ahead(self, round_: int) -> bool:
        return round_ > max(self.round, 0) + MAX_ROUND_LOOKAHEAD

    def _on_proposal(self, proposal: ProposalInput) -> None:
        if proposal.block_hash == NIL or self._too_far_ahead(proposal.round) or proposal.round in self.proposals:
            return
        if proposal.proposer != self.proposer(proposal.round):
            return
        if proposal.pol_round >= proposal.round or proposal.pol_round < -1:
            return
        self.proposals[proposal.round] = proposal
        self.values.setdefault(proposal.block_hash, proposal.valid)

    def _start_round(self, round_: int) -> list[Effect]:  # L11
        self.round = round_
        self.step = Step.PROPOSE
        if self.own_address is not None and self.proposer(round_) == self.own_address:
            if self.valid is not None:  # L14: re-propose the latest possible decision
                effects: list[Effect] = [Propose(round_, self.valid.block_hash, self.valid.round)]
            else:
                effects = [RequestValue(round_)]  # L18: the driver builds a block
        else:
            effects = [ScheduleTimeout(TimeoutKind.PROPOSE, round_)]  # L21
        return effects + self._apply_rules()

    def _on_timeout(self, timeout: TimeoutInput) -> list[Effect]:
        if timeout.round != self.round:
            return []
        if timeout.kind is TimeoutKind.PROPOSE and self.step == Step.PROPOSE:  # L57
            return self._vote(VoteType.PREVOTE, NIL, Step.PREVOTE)
        if timeout.kind is TimeoutKind.PREVOTE and self.step == Step.PREVOTE:  # L61
            return self._vote(VoteType.PRECOMMIT, NIL, Step.PRECOMMIT)
        if timeout.kind is TimeoutKind.PRECOMMIT:  # L65
            return self._start_round(self.round + 1)
        return []

    def _vote(self, vote_type: VoteType, block_hash: bytes, step: Step) -> list[Effect]:
        self.step = step
        return [CastVote(vote_type, self.round, block_hash)]

    def _first_time(self, rule: str, round_: int) -> bool:
        if (rule, round_) in self._fired:
            return False
        self._fired.add((rule, round_))
        return True

    def _apply_rules(self) -> list[Effect]:
        """Fire every enabled rule until none is; each rule changes state or fires once."""
        effects: list[Effect] = []
        while self.decision is None:
            fired = self._fire_one()
            if fired is None:
                break
            effects += fired
        return effects

    def _fire_one(self) -> list[Effect] | None:
        decided = self._rule_decide()
        if decided is not None:
            return decided
        r = self.round
        proposal = self.proposals.get(r)
        prevotes = self.votes.get(r, VoteType.PREVOTE)
        if self.step == Step.PROPOSE and proposal is not None:
            value = proposal.block_hash
            if proposal.pol_round == -1:  # L22
                acceptable = self.locked is None or self.locked.block_hash == value
                return self._vote(VoteType.PREVOTE, value if proposal.valid and acceptable else NIL, Step.PREVOTE)
            polka = self.votes.power_for(proposal.pol_round, VoteType.PREVOTE, value)
            if self.validators.has_two_thirds(polka):  # L28
                acceptable = (
                    self.locked is None or self.locked.round <= proposal.pol_round or self.locked.block_hash == value
                )
                return self._vote(VoteType.PREVOTE, value if proposal.valid and acceptable else NIL, Step.PREVOTE)
        if (
            self.step == Step.PREVOTE
            and self.validators.has_two_thirds(prevotes.total_power)
            and self._first_time("L34", r)
        ):
            return [ScheduleTimeout(TimeoutKind.PREVOTE, r)]
        if (
            self.step >= Step.PREVOTE
            and proposal is not None
            and proposal.valid
            and self.validators.has_two_thirds(prevotes.power_by_hash.get(proposal.block_hash, 0))
            and self._first_time("L36", r)
        ):
            self.valid = RoundValue(proposal.block_hash, r)
            if self.step == Step.PREVOTE:
                self.locked = RoundValue(proposal.block_hash, r)
                return self._vote(VoteType.PRECOMMIT, proposal.block_hash, Step.PRECOMMIT)
            return []
        if self.step == Step.PREVOTE and self.validators.has_two_thirds(prevotes.power_by_hash.get(NIL, 0)):  # L44
            return self._vote(VoteType.PRECOMMIT, NIL, Step.PRECOMMIT)
        precommits = self.votes.get(r, VoteType.PRECOMMIT)
        if self.validators.has_two_thirds(precommits.total_power) and self._first_time("L47", r):
            return [ScheduleTimeout(TimeoutKind.PRECOMMIT, r)]
        skip_to = self._round_to_skip_to()
        if skip_to is not None:  # L55
            return self._start_round(skip_to)
        return None

    def _rule_decide(self) -> list[Effect] | None:  # L49
        for round_ in sorted(self.votes.rounds()):
            precommits = self.votes.get(round_, VoteType.PRECOMMIT)
            for block_hash, power in precommits.power_by_hash.items():
                if block_hash == NIL or not self.validators.has_two_thirds(power):
                    continue
                valid = self.values.get(block_hash)
                if valid is None:
                    if block_hash not in self._asked:
                        self._asked.add(block_hash)
                        return [NeedValue(round_, block_hash)]
                    continue
                if not valid:
                    # more than 2/3 committed a value we find invalid: only possible with >1/3 faulty
                    continue
                self.step = Step.COMMIT
                quorum = tuple(v for v in precommits.by_validator.values() if v.block_hash == block_hash)
                self.decision = Decide(round_, block_hash, quorum)
                return [self.decision]
        return None

    def _round_to_skip_to(self) -> int | None:
        for round_ in sorted(self.votes.rounds() | set(self.proposals), reverse=True):
            if round_ <= self.round:
                break
            senders = self.votes.voters_in_round(round_)
            if round_ in self.proposals:
                senders.add(self.proposals[round_].proposer)
            if self.validators.has_one_third(sum(self.validators.power_of(a) for a in senders)):
                return round_
        return None
