"""The executor: runs a signed, routed request on a local ML node and records it with Finish.

1. The body is rewritten as the reference's completionapi/request.go does (`rewrite_body`):
   logprobs on, at least 5 top logprobs, max_tokens set (default: the chain's 5000), the TA's
   seed unless the developer chose one, usage reported at the end of a stream. The TA hashes
   the same rewritten body into MsgStartInference, so both sides must use this function.
2. The least busy local ML node serving the model runs it. A node left STOPPED is brought up
   with the model (a mode switch, under ctx.ml_lock); the lock is never held across a request.
   Nodes busy with Proof of Work refuse; when every node does, the answer is 503 with
   Retry-After (the time until the PoC stages end).
3. The answer goes back with its id replaced by the inference id (streams chunk by chunk), and
   MsgFinishInference is sent with the executor's signature and the whole response. A stream
   cut short (the client hung up, the ML node failed or froze) records what was produced so far.

An ML node's max_tokens may not exceed its context: a rewritten max_tokens that is at least the
model's context length is left out of the ML node's copy (it then generates up to the context),
while the chain and the validators see the rewritten body.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from fastapi import HTTPException

from node.api.context import ApiContext
from node.api.inference_txs import InferenceTxs, Request, finish_message
from node.api.metrics import ApiMetrics, StageClock
from node.core.inference_signing import sign_transfer
from node.ml.client import MlNodeClient, MlNodeError, MlNodeUnavailable
from node.proto.gonka.inference_pb2 import MsgFinishInference

log = logging.getLogger(__name__)

MIN_TOP_LOGPROBS = 5
ML_STATUS_TTL_S = 2.0
ML_HEALTH_TIMEOUT_S = 2.0
ML_LOCK_WAIT_S = 10.0
# While an ML node has not begun to answer a request, or sends no next chunk of a stream, ask it
# this often whether it is alive; after FROZEN_AFTER_PROBES unanswered probes in a row the request
# is taken back, or the stream ended with an in-band error (a frozen or cut-off node would otherwise
# hold it for the ML client's whole timeout, a stream for ever). A node that is merely busy still
# answers Health, so its queued requests wait as long as they need.
LIVENESS_PROBE_S = 5.0
FROZEN_AFTER_PROBES = 2
# Refusals that say "not this node, not now": try the next ML node, then answer 503.
_ML_BUSY_CODES = (
    grpc.StatusCode.FAILED_PRECONDITION,  # switched to PoW (or stopped) meanwhile
    # the model was unloaded meanwhile (a sprint starts): only nodes listed as serving it are asked,
    # so this is a stale view, not an unknown model — the client should retry, not give up
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.RESOURCE_EXHAUSTED,  # its queue is full
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
)

RetryHint = Callable[[], Awaitable[int]]
T = TypeVar("T")


# -- the request body ------------------------------------------------------------------------------


def requested_max_tokens(body: Mapping[str, Any], default: int) -> int:
    """max_completion_tokens, else max_tokens, else the default; HTTPException 400 if malformed."""
    key = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise HTTPException(400, f"{key} must be a positive integer, got {value!r}")
    return value


def rewrite_body(body: Mapping[str, Any], seed: int, default_max_tokens: int) -> dict[str, Any]:
    """The body as the executor runs it (and the TA hashes it into prompt_payload)."""
    payload = dict(body)
    payload["logprobs"] = True
    top = payload.get("top_logprobs")
    if top is None:
        payload["top_logprobs"] = MIN_TOP_LOGPROBS
    elif isinstance(top, int) and not isinstance(top, bool):  # anything else: the ML node refuses it
        payload["top_logprobs"] = max(top, MIN_TOP_LOGPROBS)
    payload["max_tokens"] = requested_max_tokens(body, default_max_tokens)
    payload.pop("max_completion_tokens", None)
    if payload.get("seed") is None:
        payload["seed"] = seed
    if payload.get("stream") is True:
        options = payload.get("stream_options")
        payload["stream_options"] = {**(options if isinstance(options, Mapping) else {}), "include_usage": True}
    return payload


def prompt_text(body: Mapping[str, Any]) -> str:
    """The concatenated text of the messages (string contents and text parts)."""
    parts: list[str] = []
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else ():
        content = message.get("content") if isinstance(message, Mapping) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [p["text"] for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str)]
    return "".join(parts)


def ml_body(payload: Mapping[str, Any], context_length: int) -> dict[str, Any]:
    body = dict(payload)
    if isinstance(body.get("max_tokens"), int) and body["max_tokens"] >= context_length:
        del body["max_tokens"]
    return body


# -- local ML nodes --------------------------------------------------------------------------------


@dataclass
class _NodeStatus:
    state: str = "UNKNOWN"
    contexts: dict[str, int] = field(default_factory=dict)  # served model -> context length
    checked: float = float("-inf")


class LocalMlNodes:
    """This node's ML nodes: which serve what and how busy each is with this node's requests.

    Health is asked when a node is new or forgotten (it refused a request as busy); otherwise a
    status older than a few seconds is used once more while a background check refreshes it, so
    no request waits for a health round trip. A stale status only costs a refusal: the node
    answers "busy" (then it is forgotten and the next node is tried) or serves the request.
    """

    def __init__(self, ctx: ApiContext) -> None:
        self._ctx = ctx
        self._status = [_NodeStatus() for _ in ctx.ml_nodes]
        self._checks: dict[int, asyncio.Task[None]] = {}  # background health checks in flight
        self.busy = [0] * len(ctx.ml_nodes)

    async def _check(self, index: int) -> None:
        status = self._status[index]
        try:
            health = await self._ctx.ml_nodes[index].health(timeout_s=ML_HEALTH_TIMEOUT_S)
            status.state = health["state"]
            status.contexts = {m["id"]: int(m["context_length"]) for m in health["models"]}
        except MlNodeError:
            status.state, status.contexts = "UNREACHABLE", {}
        status.checked = time.monotonic()

    async def _refresh(self, index: int, force: bool = False) -> _NodeStatus:
        status = self._status[index]
        if force or status.checked == float("-inf"):
            await self._check(index)
        elif time.monotonic() - status.checked > ML_STATUS_TTL_S and index not in self._checks:
            check = asyncio.get_running_loop().create_task(self._check(index))
            self._checks[index] = check
            check.add_done_callback(lambda _: self._checks.pop(index, None))
        return status

    def forget(self, index: int) -> None:
        self._status[index].checked = float("-inf")

    async def answers(self, index: int) -> bool:
        """Whether the node answers a health check in time (it may be busy: that is an answer)."""
        try:
            await self._ctx.ml_nodes[index].health(timeout_s=LIVENESS_PROBE_S)
        except MlNodeError:
            return False
        return True

    async def states(self) -> list[str]:
        return [s.state for s in await asyncio.gather(*(self._refresh(i) for i in range(len(self._status))))]

    async def serving(self, model: str) -> list[tuple[int, int]]:
        """(node index, context length) of the nodes serving `model`, least busy first."""
        statuses = await asyncio.gather(*(self._refresh(i) for i in range(len(self._status))))
        found = [(i, s.contexts[model]) for i, s in enumerate(statuses) if model in s.contexts]
        if not found and model == self._ctx.model:
            found = await self._bring_up(model)
        return sorted(found, key=lambda item: self.busy[item[0]])

    async def _bring_up(self, model: str) -> list[tuple[int, int]]:
        """Load the participant's model on one STOPPED node (none serves it yet). The lock's holder
        may be switching modes for minutes: a request does not wait that long, it gets a 503."""
        lock = self._ctx.ml_lock
        try:
            await asyncio.wait_for(lock.acquire(), ML_LOCK_WAIT_S)
        except TimeoutError:
            return []
        try:
            for index, client in enumerate(self._ctx.ml_nodes):
                status = await self._refresh(index, force=True)  # the orchestrator may have moved it
                if model in status.contexts:
                    return [(index, status.contexts[model])]
                if status.state == "STOPPED":
                    try:
                        info = await client.load_model(model)
                    except MlNodeError as error:
                        log.warning("cannot load %s on ML node %s: %s", model, client.url, error)
                        continue
                    status.state, status.contexts = "INFERENCE", {info["id"]: int(info["context_length"])}
                    return [(index, status.contexts[model])]
            return []
        finally:
            lock.release()


# -- running a request -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    request: Request  # the signed request, the TA's signature and the model
    payload: dict[str, Any]  # the rewritten body
    prompt: str  # prompt_text of the body, for token counts the ML node did not report
    # Runs once an ML node took the request, before Finish is queued: a TA that executes its
    # own request sends Start here, so its Start precedes its Finish in its tx sequence.
    accepted: Callable[[], None] = lambda: None
    clock: StageClock | None = None  # times the ML node's part of the request

    def lap(self, stage: str) -> None:
        if self.clock is not None:
            self.clock.lap(stage)


@dataclass(frozen=True)
class Execution:
    """A unary answer, or a stream of chunk dicts to relay (close it when done)."""

    response: dict[str, Any] | None = None
    stream: StreamRelay | None = None


def _completion_text(response: Mapping[str, Any]) -> str:
    choices = response.get("choices") or [{}]
    return (choices[0].get("message") or {}).get("content") or ""


def _ml_refusal(error: MlNodeError) -> HTTPException:
    body = error.error or {}
    code = body.get("code")
    status = code if isinstance(code, int) else 502
    return HTTPException(status, f"the ML node refused the request: {body.get('message') or error}")


def _is_busy(error: MlNodeError) -> bool:
    return isinstance(error, MlNodeUnavailable) or error.code in _ML_BUSY_CODES


class StreamRelay:
    """The chunks of one streamed completion, with ids replaced; `aclose` ends it and records
    Finish for whatever was relayed, whether or not the stream was ever read."""

    def __init__(
        self, inference_id: str, first: dict[str, Any], rest: AsyncIterator[dict[str, Any]],
        on_close: Callable[[list[dict[str, Any]]], None],
    ) -> None:
        self._id = inference_id
        self._pending: dict[str, Any] | None = first
        self._rest = rest
        self._on_close = on_close
        self.chunks: list[dict[str, Any]] = []
        self.error: dict[str, Any] | None = None
        self._closed = False

    def __aiter__(self) -> StreamRelay:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._closed or self.error is not None:
            raise StopAsyncIteration
        if self._pending is not None:
            chunk, self._pending = self._pending, None
        else:
            try:
                chunk = await anext(self._rest)
            except StopAsyncIteration:
                await self.aclose()
                raise
            except MlNodeError as error:  # mid-stream: the status is sent already, report in-band
                self.error = {"error": {"message": str(error), "type": "server_error", "code": 502}}
                return self.error
        chunk["id"] = self._id
        self.chunks.append(chunk)
        return chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._rest.aclose()  # type: ignore[attr-defined]
        finally:
            self._on_close(self.chunks)


class _Liveness:
    """An ML node's health probes: the `frozen_after`-th unanswered one in a row raises MlNodeUnavailable."""

    def __init__(self, answers: Callable[[], Awaitable[bool]], url: str, frozen_after: int) -> None:
        self._answers, self._url, self._frozen_after = answers, url, frozen_after
        self._missed = 0

    def saw_life(self) -> None:
        """Something came from the node (a chunk): the misses so far are forgiven."""
        self._missed = 0

    async def probe(self) -> None:
        self._missed = 0 if await self._answers() else self._missed + 1
        if self._missed >= self._frozen_after:
            raise MlNodeUnavailable(f"ML node {self._url} stopped answering ({self._missed} health checks in a row)",
                                    None)


async def while_alive(
    work: Awaitable[T], answers: Callable[[], Awaitable[bool]], url: str,
    probe_s: float = LIVENESS_PROBE_S, frozen_after: int = FROZEN_AFTER_PROBES,
) -> T:
    """`work`'s result, unless the ML node stops answering `answers` probes meanwhile: then the work
    is cancelled and MlNodeUnavailable raised (the caller tries another node, then answers 503)."""
    task = asyncio.ensure_future(work)
    liveness = _Liveness(answers, url, frozen_after)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=probe_s)
            if done:
                return task.result()
            await liveness.probe()
    finally:
        if not task.done():
            task.cancel()


class WatchedChunks(AsyncIterator[T]):
    """An ML node's stream, read ahead by a task of its own so that waiting for the next chunk can
    time out and go on waiting: after `probe_s` without a chunk the node's health is probed, and
    after `frozen_after` unanswered probes in a row the stream fails with MlNodeUnavailable (a node
    frozen mid-stream must not hold a developer's stream open). A chunk counts as a sign of life.
    Create it on the loop that reads it; `aclose` ends the reading and the ML node's stream."""

    def __init__(
        self, chunks: AsyncIterator[T], answers: Callable[[], Awaitable[bool]], url: str,
        probe_s: float = LIVENESS_PROBE_S, frozen_after: int = FROZEN_AFTER_PROBES,
    ) -> None:
        self._chunks = chunks
        self._liveness = _Liveness(answers, url, frozen_after)
        self._probe_s = probe_s
        self._queue: asyncio.Queue[tuple[T | None, BaseException | None]] = asyncio.Queue()
        self._ended = False
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for chunk in self._chunks:
                self._queue.put_nowait((chunk, None))
            self._queue.put_nowait((None, StopAsyncIteration()))
        except Exception as error:  # the ML node's refusal, delivered in order after the chunks before it
            self._queue.put_nowait((None, error))

    async def __anext__(self) -> T:
        while not self._ended:
            try:
                async with asyncio.timeout(self._probe_s):
                    chunk, error = await self._queue.get()
            except TimeoutError:
                await self._liveness.probe()
                continue
            self._liveness.saw_life()
            if error is not None:
                self._ended = True
                raise error
            return chunk  # type: ignore[return-value]  # None comes only with an error
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self._ended = True
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self._chunks.aclose()  # type: ignore[attr-defined]


class Executor:
    def __init__(self, ctx: ApiContext, txs: InferenceTxs, metrics: ApiMetrics, retry_hint: RetryHint) -> None:
        self._ctx = ctx
        self._txs = txs
        self._metrics = metrics
        self._retry_hint = retry_hint
        self.ml = LocalMlNodes(ctx)

    async def run(self, job: Job) -> Execution:
        """Start the completion on a local ML node; HTTPException when none can take it."""
        stream = job.payload.get("stream") is True
        busy_error: MlNodeError | None = None
        serving = await self.ml.serving(job.request.model)
        job.lap("ml_pick")
        for index, context in serving:
            self.ml.busy[index] += 1
            client = self._ctx.ml_nodes[index]
            try:
                started = await while_alive(self._start(client, ml_body(job.payload, context), stream),
                                            functools.partial(self.ml.answers, index), client.url)
            except MlNodeError as error:
                self.ml.busy[index] -= 1
                if not _is_busy(error):
                    raise _ml_refusal(error) from None
                self.ml.forget(index)
                busy_error = error
                continue
            except BaseException:
                self.ml.busy[index] -= 1
                raise
            job.lap("ml")
            job.accepted()
            if stream:
                first, chunks = started
                watched = WatchedChunks(chunks, functools.partial(self.ml.answers, index), client.url)
                return Execution(stream=StreamRelay(job.request.inference_id, first, watched, self._closer(job, index)))
            self.ml.busy[index] -= 1
            response = started
            response["id"] = job.request.inference_id
            usage = response.get("usage") or {}
            text = _completion_text(response)
            self._finish(job, response, text, usage.get("prompt_tokens"), usage.get("completion_tokens"))
            job.lap("finish")
            return Execution(response=response)
        raise await self._unavailable(job.request.model, busy_error)

    @staticmethod
    async def _start(client: MlNodeClient, body: dict[str, Any], stream: bool) -> Any:
        """The whole response, or (first chunk, the rest) of a stream: errors show by the first chunk."""
        if not stream:
            return await client.chat(body)
        chunks = client.chat_stream(body)
        try:
            return await anext(chunks), chunks
        except StopAsyncIteration:
            raise HTTPException(502, "the ML node ended the stream before its first chunk") from None

    async def _unavailable(self, model: str, error: MlNodeError | None) -> HTTPException:
        states = await self.ml.states()
        if "POW" in states:
            retry_s = await self._retry_hint()
            return HTTPException(
                503,
                "this node's ML nodes are busy with Proof of Work; retry after the PoC stages",
                headers={"Retry-After": str(retry_s)},
            )
        detail = f" (last refusal: {error})" if error else ""
        return HTTPException(
            503, f"no ML node of this host can serve {model!r} now{detail}", headers={"Retry-After": "5"}
        )

    def _closer(self, job: Job, index: int) -> Callable[[list[dict[str, Any]]], None]:
        def close(chunks: list[dict[str, Any]]) -> None:
            self.ml.busy[index] -= 1
            usage: dict[str, int] = next((c["usage"] for c in reversed(chunks) if c.get("usage")), {})
            completion = sum(len(choice.get("token_ids") or ()) for c in chunks for choice in c.get("choices") or ())
            text = "".join(
                (choice.get("delta") or {}).get("content") or "" for c in chunks for choice in c.get("choices") or ()
            )
            self._finish(job, chunks, text, usage.get("prompt_tokens"), usage.get("completion_tokens", completion))

        return close

    def _finish(
        self, job: Job, response: Any, text: str, prompt_tokens: int | None, completion_tokens: int | None
    ) -> None:
        """Send MsgFinishInference in the background (prompt tokens counted by the ML node if unreported)."""
        request, me, key = job.request, self._ctx.address, self._ctx.key
        signature = sign_transfer(key, request.original_prompt, request.timestamp_ns, request.transfer_address, me)
        completion = completion_tokens or 0

        async def build() -> MsgFinishInference:
            prompt = prompt_tokens if prompt_tokens is not None else await self._count_prompt(job)
            self._metrics.tokens.labels(request.model, "prompt").inc(prompt)
            self._metrics.tokens.labels(request.model, "completion").inc(completion)
            return finish_message(request, me, signature, response, text, prompt, completion)

        self._txs.submit(build())

    async def _count_prompt(self, job: Job) -> int:
        """Tokens of the prompt text by a local ML node's tokenizer, else its characters."""
        for index, _ in await self.ml.serving(job.request.model):
            try:
                return len(await self._ctx.ml_nodes[index].tokenize(job.request.model, job.prompt))
            except MlNodeError:
                continue
        return len(job.prompt)
