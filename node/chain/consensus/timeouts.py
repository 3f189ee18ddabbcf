"""Consensus timeout profiles: timeout(r) = initial + r * delta, reset at every height."""

from __future__ import annotations

from dataclasses import dataclass

from node.chain.consensus.state_machine import TimeoutKind


@dataclass(frozen=True)
class TimeoutProfile:
    propose_ms: int
    propose_delta_ms: int
    prevote_ms: int
    prevote_delta_ms: int
    precommit_ms: int
    precommit_delta_ms: int
    commit_ms: int  # pause after a decision, to collect straggling precommits and batch txs
    regossip_ms: int  # how often own messages of the current height are re-sent

    def duration_s(self, kind: TimeoutKind, round_: int) -> float:
        initial, delta = {
            TimeoutKind.PROPOSE: (self.propose_ms, self.propose_delta_ms),
            TimeoutKind.PREVOTE: (self.prevote_ms, self.prevote_delta_ms),
            TimeoutKind.PRECOMMIT: (self.precommit_ms, self.precommit_delta_ms),
        }[kind]
        return (initial + round_ * delta) / 1000


PROFILES = {
    # CometBFT's defaults (config/config.go)
    "default": TimeoutProfile(3000, 500, 1000, 500, 1000, 500, 1000, 2000),
    # a fast profile for a devnet on one machine: sub-second blocks, quick recovery from a dead proposer
    "devnet": TimeoutProfile(1000, 250, 250, 100, 250, 100, 250, 500),
}
