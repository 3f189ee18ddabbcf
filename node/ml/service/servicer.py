"""The gRPC face of the ML node (node/proto/gonka/ml.proto): protobuf in and out, nothing else.

Each method converts its request, calls `MlNode`, converts the answer. Failures are raised as
typed errors and turned into a status code with a JSON body in one place (`_fail`), which also
counts every request by method and code.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from node.ml.inference.model_spec import ModelInfo
from node.ml.service.errors import InvalidArgument, to_status
from node.ml.service.node import MlNode
from node.ml.service.pow_controller import PowStatus
from node.ml.service.pow_setup import setup_from_request
from node.proto.gonka import ml_pb2 as pb
from node.proto.gonka import ml_pb2_grpc as pb_grpc

log = logging.getLogger("gonka.ml.rpc")

Req = TypeVar("Req")
Resp = TypeVar("Resp")
Unary = Callable[["CountedServicer", Req, grpc.aio.ServicerContext], Awaitable[Resp]]
Streaming = Callable[["CountedServicer", Req, grpc.aio.ServicerContext], AsyncIterator[Resp]]


def unary(method: Unary[Req, Resp]) -> Unary[Req, Resp]:
    @functools.wraps(method)
    async def wrapper(self: CountedServicer, request: Req, context: grpc.aio.ServicerContext) -> Resp:
        try:
            response = await method(self, request, context)
        except Exception as error:
            await self._fail(method.__name__, error, context)
        self._count(method.__name__, grpc.StatusCode.OK)
        return response

    return wrapper


def streaming(method: Streaming[Req, Resp]) -> Streaming[Req, Resp]:
    @functools.wraps(method)
    async def wrapper(self: CountedServicer, request: Req, context: grpc.aio.ServicerContext) -> AsyncIterator[Resp]:
        try:
            async for item in method(self, request, context):
                yield item
        except asyncio.CancelledError:  # the caller went away
            self._count(method.__name__, grpc.StatusCode.CANCELLED)
            raise
        except Exception as error:
            await self._fail(method.__name__, error, context)
        self._count(method.__name__, grpc.StatusCode.OK)

    return wrapper


def _json(field: str, text: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InvalidArgument(f"{field} is not valid JSON: {exc}", field) from None


def _model_info(info: ModelInfo) -> pb.ModelInfo:
    return pb.ModelInfo(id=info.id, fingerprint=info.fingerprint, context_length=info.context_length)


class CountedServicer:
    """What `unary`/`streaming` need: the node (for its metrics) and one place that fails a call."""

    def __init__(self, node: MlNode) -> None:
        self.node = node

    async def _fail(self, rpc: str, error: Exception, context: grpc.aio.ServicerContext) -> None:
        code, details = to_status(error)
        if code is grpc.StatusCode.INTERNAL:
            log.error("%s failed", rpc, exc_info=error)
        self._count(rpc, code)
        await context.abort(code, details)

    def _count(self, rpc: str, code: grpc.StatusCode) -> None:
        self.node.metrics.requests.labels(rpc, code.name).inc()


class MlNodeServicer(CountedServicer, pb_grpc.MlNodeServicer):

    def _pow_status(self, status: PowStatus) -> pb.PowStatusResponse:
        return pb.PowStatusResponse(
            state=self.node.state.value,
            phase=status.phase.value,
            block_hash=status.block_hash,
            block_height=status.block_height,
            nonces_tried=status.nonces_tried,
            valid_found=status.valid_found,
            rate=status.rate,
            elapsed_s=status.elapsed_s,
            batches=status.batches,
            is_model_initialized=status.is_model_initialized,
            error=status.error,
            batches_validated=status.batches_validated,
        )

    @unary
    async def Health(self, request: pb.HealthRequest, context: grpc.aio.ServicerContext) -> pb.HealthResponse:
        health = self.node.health()
        health["models"] = [_model_info(info) for info in health["models"]]
        return pb.HealthResponse(**health)

    @unary
    async def Stop(self, request: pb.StopRequest, context: grpc.aio.ServicerContext) -> pb.StopResponse:
        previous = await self.node.stop()
        return pb.StopResponse(previous_state=previous.value, state=self.node.state.value)

    # --- PoW -------------------------------------------------------------------------------

    @unary
    async def InitGenerate(self, request: pb.PowInitRequest, context: grpc.aio.ServicerContext) -> pb.PowStatusResponse:
        await self.node.init_generate(setup_from_request(request, self.node.config.pow.batch_size, generate=True))
        return self._pow_status(self.node.pow_status())

    @streaming
    async def StreamGenerated(
        self, request: pb.StreamGeneratedRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ProofBatch]:
        async for batch in self.node.follow_generated(request.from_index):
            yield batch

    @unary
    async def InitValidate(self, request: pb.PowInitRequest, context: grpc.aio.ServicerContext) -> pb.PowStatusResponse:
        await self.node.init_validate(setup_from_request(request, self.node.config.pow.batch_size, generate=False))
        return self._pow_status(self.node.pow_status())

    @unary
    async def ValidateBatch(
        self, request: pb.ValidateBatchRequest, context: grpc.aio.ServicerContext
    ) -> pb.ValidatedBatch:
        if request.poc_start_height < 0:
            raise InvalidArgument("poc_start_height must not be negative", "poc_start_height")
        batch = request.batch
        verdict = await self.node.validate_batch(batch, request.validator_public_key, request.poc_start_height)
        return pb.ValidatedBatch(
            block_hash=batch.block_hash,
            public_key=batch.public_key,
            block_height=batch.block_height,
            node_id=batch.node_id,
            nonces=verdict.nonces.tolist(),
            dist=verdict.dists.tolist(),
            received_dist=verdict.received_dists.tolist(),
            r_target=verdict.r_target,
            fraud_threshold=verdict.fraud_threshold,
            n_invalid=verdict.n_invalid,
            probability_honest=verdict.probability_honest,
            fraud_detected=verdict.fraud_detected,
            sample_size=verdict.sample_size,
        )

    @unary
    async def PowStatus(self, request: pb.PowStatusRequest, context: grpc.aio.ServicerContext) -> pb.PowStatusResponse:
        return self._pow_status(self.node.pow_status())

    # --- inference -------------------------------------------------------------------------

    @unary
    async def LoadModel(self, request: pb.LoadModelRequest, context: grpc.aio.ServicerContext) -> pb.ModelInfo:
        if not request.model:
            raise InvalidArgument("model must not be empty", "model")
        return _model_info(await self.node.load_model(request.model))

    @unary
    async def UnloadModel(
        self, request: pb.UnloadModelRequest, context: grpc.aio.ServicerContext
    ) -> pb.UnloadModelResponse:
        state = await self.node.unload_model(request.model)
        return pb.UnloadModelResponse(state=state.value)

    @unary
    async def ListModels(
        self, request: pb.ListModelsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListModelsResponse:
        return pb.ListModelsResponse(models=[_model_info(info) for info in self.node.models()])

    @unary
    async def Chat(self, request: pb.ChatRequest, context: grpc.aio.ServicerContext) -> pb.ChatResponse:
        response = await self.node.chat(_json("request_json", request.request_json))
        return pb.ChatResponse(response_json=json.dumps(response))

    @streaming
    async def ChatStream(
        self, request: pb.ChatRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ChatChunk]:
        async for chunk in self.node.chat_stream(_json("request_json", request.request_json)):
            yield pb.ChatChunk(chunk_json=json.dumps(chunk))

    @unary
    async def Tokenize(self, request: pb.TokenizeRequest, context: grpc.aio.ServicerContext) -> pb.TokenizeResponse:
        return pb.TokenizeResponse(token_ids=await self.node.tokenize(request.model, request.text))

    @unary
    async def ValidateInference(
        self, request: pb.ValidateInferenceRequest, context: grpc.aio.ServicerContext
    ) -> pb.InferenceVerdict:
        threshold = request.threshold if request.HasField("threshold") else None
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise InvalidArgument(f"threshold must lie in [0, 1], got {threshold}", "threshold")
        verdict = await self.node.validate_inference(
            _json("request_json", request.request_json),
            _json("claimed_response_json", request.claimed_response_json),
            threshold,
        )
        return pb.InferenceVerdict(
            passed=verdict.passed,
            similarity=verdict.similarity,
            threshold=verdict.threshold,
            model=verdict.model,
            tokens=verdict.tokens,
            mean_distance=verdict.mean_distance,
            reason=verdict.reason,
        )
