"""Weighted validator sets and proposer selection by priority (CometBFT's algorithm).

Each step every validator's priority grows by its voting power; the highest
priority proposes and pays back the total power. Priorities are centred around
zero and their spread is capped at PRIORITY_WINDOW_FACTOR * total power, so a
newcomer or a long-silent validator cannot dominate. All arithmetic is on Python
ints, so every node computes the same proposer sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from node.core.hashing import sha256

PRIORITY_WINDOW_FACTOR = 2
MAX_TOTAL_VOTING_POWER = (2**63 - 1) // 8


@dataclass(frozen=True)
class Validator:
    address: bytes  # consensus address: first 20 bytes of SHA-256(public key)
    public_key: bytes  # Ed25519, 32 bytes
    power: int
    priority: int = 0


@dataclass(frozen=True)
class ValidatorUpdate:
    address: bytes
    public_key: bytes
    power: int  # 0 removes the validator


class ValidatorSet:
    """An immutable, address-sorted set of validators with proposer priorities."""

    def __init__(self, validators: Iterable[Validator]) -> None:
        ordered = sorted(validators, key=lambda v: v.address)
        addresses = [v.address for v in ordered]
        if len(set(addresses)) != len(addresses):
            raise ValueError("duplicate validator address")
        if any(v.power <= 0 for v in ordered):
            raise ValueError("validator power must be positive")
        self.validators: tuple[Validator, ...] = tuple(ordered)
        self.total_power = sum(v.power for v in ordered)
        if self.total_power > MAX_TOTAL_VOTING_POWER:
            raise ValueError("total voting power too large")
        self._by_address = {v.address: v for v in ordered}

    # -- queries -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.validators)

    def __contains__(self, address: object) -> bool:
        return address in self._by_address

    def get(self, address: bytes) -> Validator | None:
        return self._by_address.get(address)

    def power_of(self, address: bytes) -> int:
        validator = self._by_address.get(address)
        return validator.power if validator else 0

    def has_two_thirds(self, power: int) -> bool:
        """More than 2/3 of the total power: a quorum (2f+1 in the paper)."""
        return power * 3 > self.total_power * 2

    def has_one_third(self, power: int) -> bool:
        """More than 1/3 of the total power: at least one honest sender (f+1)."""
        return power * 3 > self.total_power

    def hash(self) -> bytes:
        """Commits to membership and power, not to priorities."""
        parts = [v.address + v.public_key + v.power.to_bytes(8, "big") for v in self.validators]
        return sha256(b"".join(parts))

    # -- proposer selection --------------------------------------------------

    def proposer(self) -> Validator:
        """The validator the next priority increment picks: this set's round-0 proposer."""
        validators = _centre(_rescale(list(self.validators), PRIORITY_WINDOW_FACTOR * self.total_power))
        return max(validators, key=lambda v: (v.priority + v.power, _reverse(v.address)))

    def proposer_for_round(self, round_: int) -> Validator:
        """Proposer of `round_` at the height this set belongs to (round 0 = this set's proposer)."""
        return self.incremented(round_).proposer() if round_ else self.proposer()

    def incremented(self, times: int) -> ValidatorSet:
        validators = list(self.validators)
        for _ in range(times):
            validators = _rescale(validators, PRIORITY_WINDOW_FACTOR * self.total_power)
            validators = _centre(validators)
            validators = [replace(v, priority=v.priority + v.power) for v in validators]
            chosen = max(validators, key=lambda v: (v.priority, _reverse(v.address)))
            validators = [
                replace(v, priority=v.priority - self.total_power) if v is chosen else v for v in validators
            ]
        return ValidatorSet(validators)

    def with_updates(self, updates: Sequence[ValidatorUpdate]) -> ValidatorSet:
        """Apply updates; a new validator starts at -1.125 * total power so it cannot propose at once."""
        seen: set[bytes] = set()
        for update in updates:
            if update.address in seen:
                raise ValueError("duplicate validator in one update")
            seen.add(update.address)
        by_address = dict(self._by_address)
        for update in updates:
            if update.power == 0:
                by_address.pop(update.address, None)
            elif update.address in by_address:
                by_address[update.address] = replace(by_address[update.address], power=update.power)
            else:
                by_address[update.address] = Validator(update.address, update.public_key, update.power, 0)
        new_total = sum(v.power for v in by_address.values())
        newcomer_priority = -(new_total + new_total // 8)
        validators = [
            replace(v, priority=newcomer_priority) if v.address not in self._by_address else v
            for v in by_address.values()
        ]
        if not validators:
            raise ValueError("validator set would become empty")
        return ValidatorSet(_centre(validators))

    # -- persistence ---------------------------------------------------------

    def to_json(self) -> list[dict[str, object]]:
        return [
            {"address": v.address.hex(), "public_key": v.public_key.hex(), "power": v.power, "priority": v.priority}
            for v in self.validators
        ]

    @classmethod
    def from_json(cls, data: list[dict[str, object]]) -> ValidatorSet:
        return cls(
            Validator(
                bytes.fromhex(str(item["address"])),
                bytes.fromhex(str(item["public_key"])),
                int(item["power"]),  # type: ignore[call-overload]
                int(item["priority"]),  # type: ignore[call-overload]
            )
            for item in data
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValidatorSet) and self.validators == other.validators

    def __repr__(self) -> str:
        return f"ValidatorSet({[(v.address.hex()[:8], v.power, v.priority) for v in self.validators]})"


def _reverse(address: bytes) -> bytes:
    # max() with ties broken towards the smaller address
    return bytes(255 - b for b in address)


def _centre(validators: list[Validator]) -> list[Validator]:
    if not validators:
        return validators
    # floor division keeps the arithmetic in integers on every machine
    average = sum(v.priority for v in validators) // len(validators)
    return [replace(v, priority=v.priority - average) for v in validators]


def _rescale(validators: list[Validator], window: int) -> list[Validator]:
    if not validators or window == 0:
        return validators
    spread = max(v.priority for v in validators) - min(v.priority for v in validators)
    if spread <= window:
        return validators
    ratio = -(-spread // window)  # ceiling division
    return [replace(v, priority=v.priority // ratio) for v in validators]
