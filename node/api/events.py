"""What the api node reads from its chain: the block stream, its decoded events, and the
outcome of its own txs; plus the durable files its duties keep in data_dir.

`follow_blocks` yields every committed block from a height on, forever. A broken stream
(chain node restarting, a network hiccup) is logged and re-opened at the first height not
yet yielded, so a consumer sees each block exactly once and in order. A consumer records
the last height it has fully processed in a `HeightCursor` and, after its own restart,
resumes from the next one.

Only events of successful txs are kept (a failed tx changed nothing), followed by the
block's own begin/end-block events. Attribute values are strings as the chain sends them;
the typed views below parse the ones the orchestrator and the validator react to.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from node.api.chain_link import BroadcastResult, ChainLink, ChainQueryError
from node.api.tx_sender import TxSender
from node.core.errors import TxCode
from node.core.validation_policy import FinishedInference
from node.proto.gonka import chain_pb2 as pb

log = logging.getLogger(__name__)

RETRY_FIRST_S = 0.5
RETRY_MAX_S = 10.0


# -- blocks and events -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainEvent:
    type: str
    attributes: Mapping[str, str]

    def flag(self, key: str) -> bool:
        return self.attributes.get(key) == "True"  # the chain writes Python bools with str()


def _events(events: Sequence[pb.Event]) -> list[ChainEvent]:
    return [ChainEvent(e.type, {a.key: a.value for a in e.attributes}) for e in events]


@dataclass(frozen=True)
class ChainBlock:
    height: int
    hash: str  # hex
    time_ms: int
    events: tuple[ChainEvent, ...]  # of successful txs in block order, then the block's own

    @classmethod
    def from_proto(cls, info: pb.BlockInfo) -> ChainBlock:
        events = [event for result in info.tx_results if result.code == 0 for event in _events(result.events)]
        return cls(info.height, info.hash.hex(), info.time_ms, tuple(events + _events(info.events)))

    def of_type(self, event_type: str) -> list[ChainEvent]:
        return [event for event in self.events if event.type == event_type]


@dataclass(frozen=True)
class EpochStage:
    """An `epoch_stage` block event: a stage boundary of epoch `epoch_index` (PoC start P)."""

    stage: str
    epoch_index: int
    poc_start_height: int
    height: int

    @classmethod
    def from_event(cls, event: ChainEvent) -> EpochStage:
        a = event.attributes
        return cls(a["stage"], int(a["epoch_index"]), int(a["poc_start_height"]), int(a["height"]))


@dataclass(frozen=True)
class InferenceFinished:
    """An `inference_finished` event: what the should-validate rule reads, and the epoch
    (the effective one when it completed) whose seed and group weights decide."""

    inference: FinishedInference
    epoch: int
    model: str

    @classmethod
    def from_event(cls, event: ChainEvent) -> InferenceFinished:
        a = event.attributes
        return cls(FinishedInference.from_event(a), int(a["epoch"]), a["model"])


@dataclass(frozen=True)
class RevalidationRequest:
    """An `inference_validation` event that opened an invalidation vote: every member re-runs and votes."""

    inference_id: str
    executor: str
    validator: str  # whose failed verdict opened the vote (it already counts as its invalidate vote)
    model: str

    @classmethod
    def from_event(cls, event: ChainEvent) -> RevalidationRequest | None:
        if not event.flag("needs_revalidation"):
            return None
        a = event.attributes
        return cls(a["inference_id"], a["executor"], a["validator"], a["model"])


async def follow_blocks(chain: ChainLink, from_height: int) -> AsyncIterator[ChainBlock]:
    """Every committed block from `from_height` (>= 1) on, re-opening the stream after errors."""
    next_height = from_height
    delay = RETRY_FIRST_S
    while True:
        try:
            async for info in chain.blocks(next_height):
                if info.height != next_height:  # the chain serves heights in order; anything else is a bug there
                    raise RuntimeError(f"block stream sent height {info.height}, expected {next_height}")
                delay = RETRY_FIRST_S
                yield ChainBlock.from_proto(info)
                next_height += 1
        except grpc.aio.AioRpcError as error:
            log.warning(
                "block stream from %s broke at height %d (%s); re-opening in %.1f s",
                chain.url, next_height, error.code().name, delay,
            )
        await asyncio.sleep(delay)
        delay = min(2 * delay, RETRY_MAX_S)


# -- our own txs -------------------------------------------------------------------------------


class TxOutcome(StrEnum):
    COMMITTED = "committed"  # executed in a block with code 0
    ACCEPTED = "accepted"  # admitted to the mempool (sent without waiting for the block)
    DUPLICATE = "duplicate"  # refused as already done (CONFLICT): an earlier send landed
    REFUSED = "refused"  # refused for good: sending it again cannot help
    UNKNOWN = "unknown"  # no answer, mempool full, or not in a block in time: try again later


_TRY_AGAIN_CODES = (TxCode.MEMPOOL_FULL, TxCode.TX_IN_MEMPOOL, TxCode.WRONG_SEQUENCE)


def tx_outcome(result: BroadcastResult, waited: bool) -> TxOutcome:
    # Waiting re-broadcasts the tx, so the check of a committed one says "in mempool" or
    # "replay": once it is in a block only its execution code counts.
    code = result.code if result.committed else result.check_code
    if code == TxCode.CONFLICT:
        return TxOutcome.DUPLICATE
    if not result.committed and code in _TRY_AGAIN_CODES:
        return TxOutcome.UNKNOWN
    if code:
        return TxOutcome.REFUSED
    if result.committed:
        return TxOutcome.COMMITTED
    return TxOutcome.UNKNOWN if waited else TxOutcome.ACCEPTED


async def send_tx(tx: TxSender, messages: Sequence[Message], what: str, wait: bool = True) -> TxOutcome:
    """Send one tx and say what became of it; failures are logged here, never raised."""
    try:
        result = await tx.send(messages, wait=wait)
    except (grpc.aio.AioRpcError, ChainQueryError) as error:
        log.warning("%s: the chain did not answer (%s); will try again", what, error)
        return TxOutcome.UNKNOWN
    outcome = tx_outcome(result, wait)
    if outcome is TxOutcome.REFUSED:
        log.warning("%s refused: %s", what, result.check_log or result.log)
    elif outcome is TxOutcome.UNKNOWN:
        log.warning("%s not committed yet (%s); will try again", what, result.check_log or "no block in time")
    else:
        log.debug("%s: %s at height %d", what, outcome.value, result.height)
    return outcome


# -- durable local state ---------------------------------------------------------------------


def write_json_durably(path: Path, data: Any) -> None:
    """Replace `path` atomically with `data` as JSON, on disk (fsync) before returning.

    Owner-only: the seed file holds secrets until they are revealed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(data, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself must survive a crash
    finally:
        os.close(directory)


def read_json(path: Path, default: Any) -> Any:
    """The file's JSON, or `default` when it does not exist (a corrupt file raises: never guess)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return default
    return json.loads(text)


class HeightCursor:
    """The last block height a consumer has fully processed, kept in a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> int:
        """0 when nothing was processed yet."""
        return int(read_json(self.path, {"height": 0})["height"])

    def save(self, height: int) -> None:
        write_json_durably(self.path, {"height": height})
