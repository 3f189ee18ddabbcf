"""A seeded, in-memory network of HeightStateMachines for one height.

The glue does what the real driver does with effects: own votes and proposals are
fed straight back to the sender and queued for everyone else; RequestValue and
NeedValue are answered by local events; ScheduleTimeout arms a timer that the
scheduler may fire at any later point (asynchrony: safety must not depend on it).
The network may reorder, drop and duplicate messages. Byzantine validators run no
state machine: they send conflicting proposals and votes to different nodes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from node.chain.consensus.state_machine import (
    CastVote,
    Decide,
    Effect,
    EquivocationFound,
    HeightStateMachine,
    Input,
    KnownValueInput,
    NeedValue,
    OwnValueInput,
    ProposalInput,
    Propose,
    RequestValue,
    ScheduleTimeout,
    TimeoutInput,
    VoteInput,
)
from node.chain.consensus.validators import ValidatorSet
from node.chain.consensus.votes import NIL, VoteRecord, VoteType
from node.core.hashing import sha256

from .tables import addr, validator_set


@dataclass(frozen=True)
class Faults:
    timer_weight: float = 0.05  # weight of "a timer fires" against 1 for "a message arrives"
    drop: float = 0.0  # chance a delivery is lost
    duplicate: float = 0.0  # chance a delivered message stays in flight
    synchronous_timeouts: bool = False  # timers fire only when nothing is in flight


@dataclass
class Network:
    rng: random.Random
    validators: ValidatorSet
    honest: dict[bytes, HeightStateMachine]
    byzantine: list[bytes]
    faults: Faults
    in_flight: list[tuple[bytes, Input]] = field(default_factory=list)  # (destination, message)
    local: list[tuple[bytes, Input]] = field(default_factory=list)  # answers to RequestValue/NeedValue: never lost
    timers: dict[bytes, list[TimeoutInput]] = field(default_factory=dict)
    decisions: dict[bytes, Decide] = field(default_factory=dict)
    blocks: dict[bytes, bool] = field(default_factory=dict)  # every block built so far -> valid(v)
    equivocations: int = 0

    # -- glue ----------------------------------------------------------------

    def new_block(self, label: str, valid: bool = True) -> bytes:
        block_hash = sha256(label.encode())
        self.blocks.setdefault(block_hash, valid)  # a block rebuilt from the same label keeps its validity
        return block_hash

    def deliver(self, dest: bytes, inp: Input) -> None:
        pending = [(dest, inp)]
        while pending:
            node, message = pending.pop(0)
            for effect in self.honest[node].handle(message):
                pending += self.route(node, effect)

    def start(self) -> None:
        for node, sm in self.honest.items():
            for effect in sm.start():
                for dest, message in self.route(node, effect):
                    self.deliver(dest, message)

    def route(self, node: bytes, effect: Effect) -> list[tuple[bytes, Input]]:
        """Apply an effect; return the inputs `node` must process at once (its own messages)."""
        if isinstance(effect, (CastVote, Propose)):
            if isinstance(effect, CastVote):
                message: Input = VoteInput(VoteRecord(effect.type, effect.round, effect.block_hash, node))
            else:
                valid = self.blocks[effect.block_hash]
                message = ProposalInput(effect.round, effect.pol_round, effect.block_hash, node, valid)
            self.in_flight += [(peer, message) for peer in self.honest if peer != node]
            return [(node, message)]
        if isinstance(effect, RequestValue):
            block = self.new_block(f"{node.hex()}/{effect.round}")
            self.local.append((node, OwnValueInput(effect.round, block)))
        elif isinstance(effect, NeedValue):
            self.local.append((node, KnownValueInput(effect.block_hash, self.blocks[effect.block_hash])))
        elif isinstance(effect, ScheduleTimeout):
            self.timers.setdefault(node, []).append(TimeoutInput(effect.kind, effect.round))
        elif isinstance(effect, Decide):
            self.decisions[node] = effect
        elif isinstance(effect, EquivocationFound):
            self.equivocations += 1
        return []

    # -- adversary -------------------------------------------------------------

    def byzantine_act(self, byz: bytes) -> None:
        """Send one message to one honest node, mostly for the round that node is in.
        As that round's proposer: a block made for that node alone. Else a vote, mostly
        for what that node already leans to (its proposal of the round, else its lock),
        so that each honest node sees a quorum for its own view: split brain."""
        target = self.rng.choice(list(self.honest))
        sm = self.honest[target]
        if self.rng.random() < 0.7:
            round_ = sm.round
        else:
            round_ = self.rng.randint(0, max(other.round for other in self.honest.values()) + 1)
        if self.validators.proposer_for_round(round_).address == byz and self.rng.random() < 0.4:
            block = self.new_block(f"byz/{round_}/{target.hex()}", valid=self.rng.random() < 0.9)
            message: Input = ProposalInput(round_, self.rng.randint(-1, round_ - 1), block, byz, self.blocks[block])
        else:
            seen = sm.proposals.get(round_)
            leaning = seen.block_hash if seen else sm.locked.block_hash if sm.locked else None
            if leaning is not None and self.rng.random() < 0.8:
                value = leaning
            else:
                value = self.rng.choice([NIL, *self.blocks])
            kind = self.rng.choice([VoteType.PREVOTE, VoteType.PRECOMMIT])
            message = VoteInput(VoteRecord(kind, round_, value, byz))
        self.in_flight.append((target, message))

    # -- scheduler ---------------------------------------------------------------

    def step(self) -> bool:
        """One random event; False when nothing can happen any more."""
        armed = [node for node, timers in self.timers.items() if timers]
        if self.faults.synchronous_timeouts and (self.in_flight or self.local):
            armed = []
        weights = {"net": 1.0 if self.in_flight else 0, "local": 0.2 if self.local else 0}
        weights["timer"] = self.faults.timer_weight if armed else 0
        weights["byz"] = 0.3 if self.byzantine else 0
        if not any(weights.values()):
            return False
        choice = self.rng.choices(list(weights), list(weights.values()))[0]
        if choice == "net":
            i = self.rng.randrange(len(self.in_flight))
            dest, message = self.in_flight[i]
            if self.rng.random() >= self.faults.duplicate:
                self.in_flight.pop(i)
            if self.rng.random() >= self.faults.drop:
                self.deliver(dest, message)
        elif choice == "local":
            self.deliver(*self.local.pop(self.rng.randrange(len(self.local))))
        elif choice == "timer":
            node = self.rng.choice(armed)
            timers = self.timers[node]
            self.deliver(node, timers.pop(self.rng.randrange(len(timers))))
        else:
            self.byzantine_act(self.rng.choice(self.byzantine))
        return True

    def run(self, max_steps: int) -> None:
        self.start()
        for _ in range(max_steps):
            if len(self.decisions) == len(self.honest) or not self.step():
                return


def network(seed: int, n_byzantine: int, faults: Faults) -> Network:
    """Four validators of power 1; `n_byzantine` of them, chosen by the seed, are Byzantine."""
    rng = random.Random(seed)
    names = "ABCD"
    validators = validator_set({n: 1 for n in names})
    byzantine = [addr(n) for n in rng.sample(names, n_byzantine)]
    honest = {addr(n): HeightStateMachine(1, validators, addr(n)) for n in names if addr(n) not in byzantine}
    return Network(rng, validators, honest, byzantine, faults)
