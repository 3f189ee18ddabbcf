"""The Python client of an ML node's gRPC service, for its api node, the CLI, the devnet and tests.

    async with MlNodeClient("127.0.0.1:9300") as ml:
        await ml.stop()
        await ml.init_generate(block_hash=h, block_height=10, public_key=pk, params="devnet")
        async for batch in ml.stream_generated():      # ProofBatch, as valid nonces are found
            ...
        await ml.init_validate(block_hash=h, block_height=10, params="devnet")
        verdict = await ml.validate_batch(batch, validator_public_key=my_pk, poc_start_height=10)
        await ml.stop(); await ml.load_model("devnet-llama-10m-seed0")
        response = await ml.chat({"model": ..., "messages": [...]})

Answers are plain dicts (protobuf field names) except `ProofBatch`, which round-trips into
`validate_batch`. A refusal raises `MlNodeError` with the gRPC code and the node's OpenAI-style
error body; a node that cannot be reached raises `MlNodeUnavailable`. `SyncMlNodeClient` offers
the same methods, blocking. Imports neither torch nor the node's own code, only the stubs.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from node.proto.gonka import ml_pb2 as pb
from node.proto.gonka import ml_pb2_grpc as pb_grpc

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 120.0  # a mainnet batch validation or a long completion takes a while
_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_TRANSPORT_CODES = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


class MlNodeError(Exception):
    """The node refused or failed a request; `error` is its {"message", "type", "param", "code"}."""

    def __init__(self, message: str, code: grpc.StatusCode | None, error: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.error = error


class MlNodeUnavailable(MlNodeError):
    """The node could not be reached in time."""


@dataclass(frozen=True)
class ProofBatch:
    """Valid nonces found by one ML node (the reference's ProofBatch)."""

    block_hash: str
    public_key: str
    block_height: int
    node_id: int
    nonces: list[int]
    dist: list[float]
    nonces_tried_so_far: int = 0
    elapsed_s: float = 0.0
    batch_index: int = 0

    @classmethod
    def from_proto(cls, message: pb.ProofBatch) -> ProofBatch:
        return cls(
            block_hash=message.block_hash,
            public_key=message.public_key,
            block_height=message.block_height,
            node_id=message.node_id,
            nonces=list(message.nonces),
            dist=list(message.dist),
            nonces_tried_so_far=message.nonces_tried_so_far,
            elapsed_s=message.elapsed_s,
            batch_index=message.batch_index,
        )

    def to_proto(self) -> pb.ProofBatch:
        return pb.ProofBatch(
            block_hash=self.block_hash,
            public_key=self.public_key,
            block_height=self.block_height,
            node_id=self.node_id,
            nonces=self.nonces,
            dist=self.dist,
            nonces_tried_so_far=self.nonces_tried_so_far,
            elapsed_s=self.elapsed_s,
            batch_index=self.batch_index,
        )


def to_dict(message: Message) -> dict[str, Any]:
    """A response message as a dict with native values (int64 stays int, unlike MessageToDict)."""
    out: dict[str, Any] = {}
    for fd in message.DESCRIPTOR.fields:
        value = getattr(message, fd.name)
        if fd.message_type is not None:
            out[fd.name] = [to_dict(v) for v in value] if fd.is_repeated else to_dict(value)
        else:
            out[fd.name] = list(value) if fd.is_repeated else value
    return out


def _pow_init(
    block_hash: str,
    block_height: int,
    params: str | Mapping[str, Any],
    **fields: Any,
) -> pb.PowInitRequest:
    request = pb.PowInitRequest(block_hash=block_hash, block_height=block_height, **fields)
    if isinstance(params, str):
        request.params_name = params
    else:
        request.model_params.CopyFrom(pb.PowModelParams(**params))
    return request


def _error(url: str, err: grpc.aio.AioRpcError) -> MlNodeError:
    code, details = err.code(), err.details() or ""
    try:
        body = json.loads(details)["error"]
    except (ValueError, KeyError, TypeError):
        body = None
    if body is None and code in _TRANSPORT_CODES:
        return MlNodeUnavailable(f"ML node {url} unreachable: {details}", code)
    message = body["message"] if body else details
    return MlNodeError(f"ML node {url}: {code.name}: {message}", code, body)


class MlNodeClient:
    """Async access to one ML node; `url` is 'host:port' (an optional grpc:// is accepted)."""

    def __init__(self, url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.url = url.removeprefix("grpc://").rstrip("/")
        self.timeout_s = timeout_s
        self._channel = grpc.aio.insecure_channel(
            self.url,
            options=[
                ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
            ],
        )
        self._stub = pb_grpc.MlNodeStub(self._channel)

    async def __aenter__(self) -> MlNodeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def _call(self, method: Any, request: Message, timeout_s: float | None = None) -> Any:
        try:
            return await method(request, timeout=timeout_s or self.timeout_s)
        except grpc.aio.AioRpcError as err:
            raise _error(self.url, err) from None

    async def _stream(self, method: Any, request: Message) -> AsyncIterator[Any]:
        call = method(request)  # no deadline: a sprint's stream lasts as long as the sprint
        try:
            async for item in call:
                yield item
        except grpc.aio.AioRpcError as err:
            raise _error(self.url, err) from None
        finally:
            call.cancel()

    async def health(self, timeout_s: float | None = None) -> dict[str, Any]:
        return to_dict(await self._call(self._stub.Health, pb.HealthRequest(), timeout_s))

    async def stop(self) -> dict[str, Any]:
        """Stop whatever runs (PoW job, loaded models): {"previous_state", "state"}."""
        return to_dict(await self._call(self._stub.Stop, pb.StopRequest()))

    # --- PoW -------------------------------------------------------------------------------

    async def init_generate(
        self,
        *,
        block_hash: str,
        block_height: int,
        public_key: str,
        params: str | Mapping[str, Any],
        node_id: int = 0,
        node_count: int = 1,
        r_target: float = 0.0,
        batch_size: int = 0,
    ) -> dict[str, Any]:
        """Start a sprint; `params` is a set name or the reference's parameter fields. 0 = default."""
        request = _pow_init(
            block_hash,
            block_height,
            params,
            public_key=public_key,
            node_id=node_id,
            node_count=node_count,
            r_target=r_target,
            batch_size=batch_size,
        )
        return to_dict(await self._call(self._stub.InitGenerate, request))

    async def stream_generated(self, from_index: int = 0) -> AsyncIterator[ProofBatch]:
        """Batches of valid nonces of the current sprint; ends when the sprint has ended."""
        async for message in self._stream(self._stub.StreamGenerated, pb.StreamGeneratedRequest(from_index=from_index)):
            yield ProofBatch.from_proto(message)

    async def init_validate(
        self,
        *,
        block_hash: str,
        block_height: int,
        params: str | Mapping[str, Any],
        r_target: float = 0.0,
        fraud_threshold: float = 0.0,
    ) -> dict[str, Any]:
        request = _pow_init(block_hash, block_height, params, r_target=r_target, fraud_threshold=fraud_threshold)
        return to_dict(await self._call(self._stub.InitValidate, request))

    async def validate_batch(
        self, batch: ProofBatch, *, validator_public_key: str, poc_start_height: int = 0
    ) -> dict[str, Any]:
        """The reference's ValidatedBatch fields (n_invalid, probability_honest, fraud_detected ...)."""
        request = pb.ValidateBatchRequest(
            batch=batch.to_proto(), validator_public_key=validator_public_key, poc_start_height=poc_start_height
        )
        return to_dict(await self._call(self._stub.ValidateBatch, request))

    async def pow_status(self) -> dict[str, Any]:
        return to_dict(await self._call(self._stub.PowStatus, pb.PowStatusRequest()))

    # --- inference -------------------------------------------------------------------------

    async def load_model(self, model: str) -> dict[str, Any]:
        return to_dict(await self._call(self._stub.LoadModel, pb.LoadModelRequest(model=model)))

    async def unload_model(self, model: str) -> str:
        """Returns the node's state afterwards (STOPPED once the last model is gone)."""
        return (await self._call(self._stub.UnloadModel, pb.UnloadModelRequest(model=model))).state

    async def list_models(self) -> list[dict[str, Any]]:
        return to_dict(await self._call(self._stub.ListModels, pb.ListModelsRequest()))["models"]

    async def chat(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """An OpenAI chat request in, the chat.completion dict out."""
        response = await self._call(self._stub.Chat, pb.ChatRequest(request_json=json.dumps(body)))
        return json.loads(response.response_json)

    async def chat_stream(self, body: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The chat.completion.chunk dicts of one completion."""
        async for chunk in self._stream(self._stub.ChatStream, pb.ChatRequest(request_json=json.dumps(body))):
            yield json.loads(chunk.chunk_json)

    async def tokenize(self, model: str, text: str) -> list[int]:
        response = await self._call(self._stub.Tokenize, pb.TokenizeRequest(model=model, text=text))
        return list(response.token_ids)

    async def validate_inference(
        self, request: Mapping[str, Any], claimed_response: Any, threshold: float | None = None
    ) -> dict[str, Any]:
        """Re-run an executor's tokens teacher-forced: {"passed", "similarity", "threshold", "reason" ...}.
        `claimed_response` is a chat.completion dict or the list of its stream chunks."""
        message = pb.ValidateInferenceRequest(
            request_json=json.dumps(request), claimed_response_json=json.dumps(claimed_response), threshold=threshold
        )
        return to_dict(await self._call(self._stub.ValidateInference, message))


class SyncMlNodeClient:
    """`MlNodeClient`'s methods as blocking calls (streams become plain iterators).

    The async client lives on a private event loop thread, so this works from any thread and
    from code that has no loop of its own (the CLI, the devnet supervisor, tests).
    """

    def __init__(self, url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ml-client", daemon=True)
        self._thread.start()
        self._client = self._run(self._open(url, timeout_s))

    @staticmethod
    async def _open(url: str, timeout_s: float) -> MlNodeClient:
        return MlNodeClient(url, timeout_s)  # the channel must be created on the loop that uses it

    def __enter__(self) -> SyncMlNodeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._run(self._client.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):  # only the client's public methods; never recurse on a half-built self
            raise AttributeError(name)
        method = getattr(self._client, name)
        if inspect.isasyncgenfunction(method):
            return lambda *args, **kwargs: self._iterate(method(*args, **kwargs))
        if inspect.iscoroutinefunction(method):
            return lambda *args, **kwargs: self._run(method(*args, **kwargs))
        return method

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _iterate(self, stream: AsyncIterator[T]) -> Iterator[T]:
        try:
            while True:
                try:
                    yield self._run(stream.__anext__())  # type: ignore[arg-type]
                except StopAsyncIteration:
                    return
        finally:
            self._run(stream.aclose())  # type: ignore[attr-defined]
