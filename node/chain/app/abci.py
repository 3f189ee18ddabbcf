"""The ABCI++-shaped boundary between the consensus engine and the app.

Call grammar per height (reference consensus-and-peers.md §1.4): the proposer
calls `prepare_proposal`, every validator calls `process_proposal` on the
proposal, the decided block goes through `finalize_block` (computes results
and the app hash, persists nothing), then the engine opens its per-height DB
transaction, stores block + commit + results and calls `commit()` inside it.
At start-up the engine calls `info()`, then `init_chain()` (idempotent) or
replays stored blocks above `info().last_height`.

Determinism: process_proposal and finalize_block are pure functions of
committed state and the block; prepare_proposal and check_tx may look at
node-local things (the mempool's pending sequences).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only the Application protocol names it; keeps this module import-light
    from node.chain.app.genesis import Genesis


@dataclass(frozen=True)
class Event:
    """A typed, streamable fact emitted by the app (attributes keep their order)."""

    type: str
    attributes: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, type: str, **attributes: object) -> Event:  # noqa: A002 - mirrors the field
        return cls(type, tuple((key, str(value)) for key, value in attributes.items()))


@dataclass(frozen=True)
class CheckResult:
    """Mempool admission verdict; sender/sequence let the mempool order an account's txs."""

    code: int
    log: str
    sender: str = ""
    sequence: int = 0
    priority: int = 0


@dataclass(frozen=True)
class TxResult:
    """Outcome of one tx in a block; events are empty when code != 0."""

    code: int
    log: str
    events: tuple[Event, ...]


@dataclass(frozen=True)
class ValidatorUpdate:
    """Set a validator's voting power from H+2 on; power 0 removes it."""

    public_key: bytes  # 32-byte Ed25519 consensus key
    power: int


@dataclass(frozen=True)
class Misbehavior:
    """A validator fault the engine proved (today: duplicate-vote evidence)."""

    kind: str
    validator_address: bytes  # consensus address: first 20 bytes of SHA-256(pubkey)
    height: int


@dataclass(frozen=True)
class BlockInput:
    """What the app needs of a proposed or decided block."""

    height: int
    time_ms: int
    hash: bytes
    proposer_address: bytes
    txs: tuple[bytes, ...]
    misbehavior: tuple[Misbehavior, ...]


@dataclass(frozen=True)
class FinalizeResult:
    tx_results: tuple[TxResult, ...]
    events: tuple[Event, ...]  # block-level events (epoch stages, jailing)
    validator_updates: tuple[ValidatorUpdate, ...]
    app_hash: bytes  # state after this block; goes into the next block's header


@dataclass(frozen=True)
class AppInfo:
    last_height: int  # 0 before any block (also before init_chain)
    last_app_hash: bytes  # b"" before init_chain


class Application(Protocol):
    def info(self) -> AppInfo: ...

    def init_chain(self, genesis: Genesis) -> tuple[list[ValidatorUpdate], bytes]: ...

    def check_tx(self, raw: bytes) -> CheckResult: ...

    def prepare_proposal(self, txs: list[bytes], max_bytes: int) -> list[bytes]: ...

    def process_proposal(self, block: BlockInput) -> bool: ...

    def finalize_block(self, block: BlockInput) -> FinalizeResult: ...

    def commit(self) -> None: ...

    def query(self, path: str, params: dict[str, Any]) -> dict[str, Any]: ...
