"""MsgStartInference (the TA's) and MsgFinishInference (the executor's): their fields and sending.

Fields follow reference protocol.md §4:
    prompt_payload  canonical JSON of the body as the executor runs it (rewritten, seeded)
    prompt_hash     SHA-256 hex of prompt_payload
    original_prompt the exact body the developer signed
    response_hash   SHA-256 hex of the concatenated completion text
    response_payload the whole response JSON with logprobs and token ids (a chat.completion,
                    or the list of chat.completion.chunk of a stream), which validators re-run

Both are sent in the background through the node's TxSender: the HTTP answer never waits for
a block, and a client that hangs up cannot cancel a tx. Each is kept in the node's outbox
(outbox.py) until its fate is settled, so a restarted node sends what it still owed. Each is
sent until it is in a block: one whose fate is unknown (the chain node did not answer, or no
block took it in time: a restarted chain node forgets its mempool) is sent again for
RETRY_FOR_S, and a copy that landed meanwhile makes the next one a harmless duplicate. A tx
the chain refuses is logged and counted, never silently dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message

from node.api.chain_link import BroadcastResult
from node.api.events import TxOutcome, tx_outcome
from node.api.metrics import ApiMetrics
from node.api.outbox import Outbox
from node.api.tx_sender import TxSender
from node.core.hashing import sha256
from node.core.tx import register_message
from node.proto.gonka.inference_pb2 import MsgFinishInference, MsgStartInference

log = logging.getLogger(__name__)

register_message(MsgStartInference)
register_message(MsgFinishInference)

DRAIN_TIMEOUT_S = 30.0
RETRY_FOR_S = 60.0
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 5.0
Done = Callable[[BroadcastResult | None], None]


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text: one spelling per JSON value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return sha256(text.encode()).hex()


@dataclass(frozen=True)
class Request:
    """The signed request both messages repeat."""

    inference_id: str
    requester: str
    transfer_address: str
    timestamp_ns: int
    original_prompt: str
    transfer_signature: str
    model: str


def start_message(
    request: Request, executor: str, payload: dict[str, Any], max_tokens: int, prompt_chars: int
) -> MsgStartInference:
    prompt_payload = canonical_json(payload)
    return MsgStartInference(
        creator=request.transfer_address,
        inference_id=request.inference_id,
        prompt_hash=sha256_hex(prompt_payload),
        prompt_payload=prompt_payload,
        model=request.model,
        requested_by=request.requester,
        assigned_to=executor,
        max_tokens=max_tokens,
        prompt_token_count=prompt_chars,
        request_timestamp=request.timestamp_ns,
        transfer_signature=request.transfer_signature,
        original_prompt=request.original_prompt,
    )


def finish_message(
    request: Request,
    executor: str,
    executor_signature: str,
    response: Any,
    completion_text: str,
    prompt_tokens: int,
    completion_tokens: int,
) -> MsgFinishInference:
    return MsgFinishInference(
        creator=executor,
        inference_id=request.inference_id,
        response_hash=sha256_hex(completion_text),
        response_payload=canonical_json(response),
        prompt_token_count=prompt_tokens,
        completion_token_count=completion_tokens,
        executed_by=executor,
        transferred_by=request.transfer_address,
        request_timestamp=request.timestamp_ns,
        transfer_signature=request.transfer_signature,
        executor_signature=executor_signature,
        requested_by=request.requester,
        original_prompt=request.original_prompt,
        model=request.model,
    )


class InferenceTxs:
    """Sends the node's inference txs in the background and keeps track of them until they land;
    with an outbox, also across restarts (`resume`)."""

    def __init__(self, tx: TxSender, metrics: ApiMetrics, outbox: Outbox | None = None) -> None:
        self._tx = tx
        self._metrics = metrics
        self._outbox = outbox
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, message: Message | Awaitable[Message], done: Done | None = None) -> None:
        """Send `message` (or what the awaitable builds) in its own tx until it is in a block; `done`
        gets the last broadcast's answer (None if there was none) once the tx was committed, refused,
        or given up on, whatever happens to the caller meanwhile."""
        self._spawn(self._send(message, done))

    def resume(self) -> int:
        """Send again what the outbox still holds from before a restart; how many."""
        if self._outbox is None:
            return 0
        pending = self._outbox.pending()
        for key, message in pending:
            self._spawn(self._send(message, None, key))
        if pending:
            log.info("sending again %d inference txs left from before the restart", len(pending))
        return len(pending)

    def _spawn(self, sending: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(sending)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, message: Message | Awaitable[Message], done: Done | None, key: int | None = None) -> None:
        name, inference_id = "message", ""
        result: BroadcastResult | None = None
        try:
            if not isinstance(message, Message):
                message = await message
            name, inference_id = type(message).__name__, getattr(message, "inference_id", "")
            if key is None and self._outbox is not None:
                key = self._outbox.put(message)
            result = await self._until_landed(message, name, inference_id)
            outcome = tx_outcome(result, waited=True)
            if outcome is not TxOutcome.UNKNOWN and key is not None and self._outbox is not None:
                self._outbox.remove(key)  # settled; one given up on stays for the next start
            if outcome in (TxOutcome.COMMITTED, TxOutcome.DUPLICATE):
                self._metrics.txs.labels(name, "ok").inc()
            elif outcome is TxOutcome.REFUSED:
                self._metrics.txs.labels(name, "refused").inc()
                log.error("%s %s refused: %s", name, inference_id, result.check_log or result.log)
            else:
                self._metrics.txs.labels(name, "error").inc()
                log.error("%s %s not in a block after %.0f s: %s", name, inference_id, RETRY_FOR_S, result.check_log)
        except Exception:  # a background task has nobody to raise to: log it
            self._metrics.txs.labels(name, "error").inc()
            log.exception("%s %s could not be sent", name, inference_id)
        finally:
            if done is not None:
                done(result)

    async def _until_landed(self, message: Message, name: str, inference_id: str) -> BroadcastResult:
        """The answer that settled the tx's fate, or the last one once RETRY_FOR_S have passed."""
        deadline = time.monotonic() + RETRY_FOR_S
        delay = RETRY_FIRST_S
        while True:
            try:
                result = await self._tx.send([message], wait=True)
                if tx_outcome(result, waited=True) is not TxOutcome.UNKNOWN or time.monotonic() >= deadline:
                    return result
                why = result.check_log or "no block in time"
            except grpc.aio.AioRpcError as error:
                if time.monotonic() >= deadline:
                    raise
                why = f"chain node: {error.code().name}"
            log.warning("%s %s not in a block yet (%s); sending it again in %.1f s", name, inference_id, why, delay)
            self._metrics.tx_resends.labels(name).inc()
            await asyncio.sleep(delay)
            delay = min(2 * delay, RETRY_MAX_S)

    async def drain(self, timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        """Wait (bounded) for the txs still being sent, e.g. before shutting down."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout_s)

    def pending(self) -> int:
        return len(self._tasks)
