"""The validator's signer with double-sign protection (CometBFT privval rules).

It remembers the last (height, round, step) it signed and the sign bytes. It signs
only at a strictly higher (height, round, step); for the very same HRS and the very
same bytes it returns the stored signature (a restart re-sending its vote). The new
state is on disk, fsynced, before a signature leaves this object.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from node.core.consensus_keys import ConsensusKey


class DoubleSignRefused(Exception):
    """Signing this would contradict something this validator already signed."""


STEP_PROPOSE = 1
STEP_PREVOTE = 2
STEP_PRECOMMIT = 3


@dataclass(frozen=True)
class LastSigned:
    height: int
    round: int
    step: int
    sign_bytes: bytes
    signature: bytes


class Signer:
    def __init__(self, key: ConsensusKey, state_path: Path) -> None:
        self.key = key
        self.public_key = key.public_key
        self._path = state_path
        self.last = self._load()

    def _load(self) -> LastSigned | None:
        if not self._path.exists():
            return None
        data = json.loads(self._path.read_text())
        return LastSigned(
            data["height"], data["round"], data["step"], bytes.fromhex(data["sign_bytes"]), bytes.fromhex(data["signature"])
        )

    def sign(self, height: int, round_: int, step: int, sign_bytes: bytes) -> bytes:
        last = self.last
        if last is not None:
            current, previous = (height, round_, step), (last.height, last.round, last.step)
            if current < previous:
                raise DoubleSignRefused(f"height/round/step {current} regresses below {previous}")
            if current == previous:
                if sign_bytes == last.sign_bytes:
                    return last.signature
                raise DoubleSignRefused(f"conflicting data at height/round/step {current}")
        signature = self.key.sign(sign_bytes)
        self._persist(LastSigned(height, round_, step, sign_bytes, signature))
        return signature

    def _persist(self, state: LastSigned) -> None:
        temporary = self._path.with_suffix(".tmp")
        body = {
            "height": state.height,
            "round": state.round,
            "step": state.step,
            "sign_bytes": state.sign_bytes.hex(),
            "signature": state.signature.hex(),
        }
        with open(temporary, "w") as handle:
            json.dump(body, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self._path)
        directory = os.open(self._path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self.last = state
