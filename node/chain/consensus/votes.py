"""Vote bookkeeping for one height: who voted what, and how much power stands behind it.

A second, different vote from the same validator for the same (round, type) is not
counted: it is returned as an equivocation so the caller can turn it into evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

NIL = b""


class VoteType(IntEnum):
    PREVOTE = 1
    PRECOMMIT = 2


@dataclass(frozen=True)
class VoteRecord:
    type: VoteType
    round: int
    block_hash: bytes  # NIL for a nil vote
    validator: bytes
    signed: Any = field(default=None, compare=False)  # the wire vote, kept for evidence


@dataclass
class RoundVotes:
    by_validator: dict[bytes, VoteRecord] = field(default_factory=dict)
    power_by_hash: dict[bytes, int] = field(default_factory=dict)
    total_power: int = 0


@dataclass(frozen=True)
class Equivocation:
    first: VoteRecord
    second: VoteRecord


class HeightVotes:
    def __init__(self, powers: dict[bytes, int]) -> None:
        self._powers = powers
        self._rounds: dict[tuple[int, VoteType], RoundVotes] = {}

    def add(self, vote: VoteRecord) -> tuple[bool, Equivocation | None]:
        """Record a vote. Returns (added, equivocation)."""
        power = self._powers.get(vote.validator, 0)
        if power == 0:
            return False, None
        votes = self._rounds.setdefault((vote.round, vote.type), RoundVotes())
        existing = votes.by_validator.get(vote.validator)
        if existing is not None:
            if existing.block_hash == vote.block_hash:
                return False, None
            return False, Equivocation(existing, vote)
        votes.by_validator[vote.validator] = vote
        votes.power_by_hash[vote.block_hash] = votes.power_by_hash.get(vote.block_hash, 0) + power
        votes.total_power += power
        return True, None

    def get(self, round_: int, vote_type: VoteType) -> RoundVotes:
        return self._rounds.get((round_, vote_type), _EMPTY)

    def power_for(self, round_: int, vote_type: VoteType, block_hash: bytes) -> int:
        return self.get(round_, vote_type).power_by_hash.get(block_hash, 0)

    def rounds(self) -> set[int]:
        return {round_ for round_, _ in self._rounds}

    def voters_in_round(self, round_: int) -> set[bytes]:
        return set(self.get(round_, VoteType.PREVOTE).by_validator) | set(
            self.get(round_, VoteType.PRECOMMIT).by_validator
        )

    def all_votes(self) -> list[VoteRecord]:
        return [vote for votes in self._rounds.values() for vote in votes.by_validator.values()]


_EMPTY = RoundVotes()
