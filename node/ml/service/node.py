"""The ML node's behaviour, behind the gRPC layer: state machine + models + PoW + training, on
one asyncio loop.

Every method either does what it says or raises a typed error before changing anything
(`Conflict`, `ServiceError`, an `InferenceError`); `errors.to_status` turns those into gRPC
codes. State changes (load, unload, PoW init, training start and end, stop) are serialized by
one lock; inference, PoW and training work run on worker threads or processes, so Health and
PowStatus always answer promptly. Training workers are processes that end on their own: a
watcher leaves TRAIN once none is alive (state.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from node.ml.config import MlNodeConfig
from node.ml.inference.model_spec import ModelInfo
from node.ml.inference.request import ChatRequest
from node.ml.metrics import Metrics
from node.ml.pow.engine import DTYPES
from node.ml.pow.validate import PocVerdict
from node.ml.service.models import ModelPool
from node.ml.service.pow_controller import PowController, PowStatus
from node.ml.service.pow_setup import PowSetup
from node.ml.service.state import Action, ServiceState, ServiceStateMachine
from node.ml.service.threads import iterate_in_thread
from node.ml.service.training import TrainingService
from node.ml.validation import InferenceVerdict, validate_inference
from node.proto.gonka import ml_pb2 as pb
from node.proto.gonka import training_pb2 as train_pb

TRAINING_WATCH_S = 0.5  # how soon the node notices that its last worker ended


class MlNode:
    def __init__(self, config: MlNodeConfig, metrics: Metrics) -> None:
        self.config = config
        self.metrics = metrics
        self.started = time.monotonic()
        self._machine = ServiceStateMachine()
        self._transition = asyncio.Lock()
        self._models = ModelPool(config.inference.loader(), config.queue_limit)
        self._pow = PowController(
            dtype=DTYPES[config.pow.dtype],
            threads=config.pow.threads,
            fake_inflation=config.pow.fake_inflation_or_none,
            on_batch=metrics.sprint_batch,
        )
        self.training = TrainingService(config.training.home, config.training.adversary)
        self._watcher: asyncio.Task[None] | None = None
        metrics.state.state(self.state.value)

    @property
    def state(self) -> ServiceState:
        return self._machine.state

    async def start(self) -> None:
        """Load the configured models (the node starts in INFERENCE when there are any)."""
        for model in self.config.inference.models:
            await self.load_model(model)
        self._watcher = asyncio.create_task(self._watch_training(), name="training-watch")

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        self.training.close()
        self._pow.close()

    def health(self) -> dict[str, Any]:
        return {
            "name": self.config.name,
            "state": self.state.value,
            "models": self.models(),
            "uptime_s": time.monotonic() - self.started,
            "pow_adversary": self.config.pow.adversary,
            "inference_adversary": self.config.inference.adversary or "",
            "pow_phase": self._pow.phase.value,
        }

    async def stop(self) -> ServiceState:
        """Stop every service; returns the state it left."""
        async with self._transition:
            await self._pow.stop()
            await asyncio.to_thread(self.training.close)
            self._models.clear()
            return self._apply(Action.STOP)

    # --- PoW -------------------------------------------------------------------------------

    async def init_generate(self, setup: PowSetup) -> None:
        async with self._transition:
            self._machine.check(Action.POW_INIT)
            await self._pow.init_generate(setup)
            self._apply(Action.POW_INIT)

    async def init_validate(self, setup: PowSetup) -> None:
        async with self._transition:
            self._machine.check(Action.POW_INIT)
            await self._pow.init_validate(setup)
            self._apply(Action.POW_INIT)

    async def validate_batch(
        self, batch: pb.ProofBatch, validator_public_key: str, poc_start_height: int
    ) -> PocVerdict:
        self._machine.check(Action.POW_USE)
        verdict = await self._pow.validate_batch(batch, validator_public_key, poc_start_height)
        self.metrics.poc_validations.labels("fraud" if verdict.fraud_detected else "honest").inc()
        return verdict

    def follow_generated(self, from_index: int) -> AsyncIterator[pb.ProofBatch]:
        return self._pow.follow(from_index)

    def pow_status(self) -> PowStatus:
        return self._pow.status()

    # --- inference -------------------------------------------------------------------------

    def models(self) -> list[ModelInfo]:
        return self._models.infos()

    async def load_model(self, ref: str) -> ModelInfo:
        async with self._transition:
            self._machine.check(Action.INFERENCE_UP)
            info = await self._models.load(ref)
            self._apply(Action.INFERENCE_UP)
            return info

    async def unload_model(self, model_id: str) -> ServiceState:
        async with self._transition:
            self._models.unload(model_id)
            if not len(self._models):
                self._apply(Action.INFERENCE_DOWN)
            return self.state

    async def chat(self, body: Mapping[str, Any]) -> dict[str, Any]:
        request = self._inference_request(body)
        async with self._models.turn(request.model) as backend:
            result = await asyncio.to_thread(backend.chat, request)
        self.metrics.tokens.labels(request.model).inc(len(result.completion_token_ids))
        return result.response

    async def chat_stream(self, body: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        request = self._inference_request(body)
        tokens = self.metrics.tokens.labels(request.model)
        async with self._models.turn(request.model) as backend:
            async for chunk in iterate_in_thread(lambda: backend.chat_stream(request)):
                for choice in chunk["choices"]:
                    tokens.inc(len(choice.get("token_ids", ())))
                yield chunk

    async def tokenize(self, model: str, text: str) -> list[int]:
        self._machine.check(Action.INFERENCE_USE)
        async with self._models.turn(model) as backend:  # tokenizers are not safe to share between threads
            tokenizer = backend.runner(model).tokenizer
            return await asyncio.to_thread(tokenizer.encode, text, add_special_tokens=False)

    async def validate_inference(
        self, request_body: Mapping[str, Any], claimed_response: Any, threshold: float | None
    ) -> InferenceVerdict:
        request = self._inference_request(request_body)
        async with self._models.turn(request.model) as backend:
            verdict = await asyncio.to_thread(validate_inference, backend, request_body, claimed_response, threshold)
        self.metrics.inference_validations.labels("passed" if verdict.passed else "failed").inc()
        return verdict

    def _inference_request(self, body: Mapping[str, Any]) -> ChatRequest:
        self._machine.check(Action.INFERENCE_USE)
        return ChatRequest.from_openai(body)

    # --- training ----------------------------------------------------------------------------

    async def start_training(self, request: train_pb.StartTrainingRequest) -> train_pb.TrainingStatus:
        """Launch a task's worker; refused (Conflict) while PoW runs."""
        async with self._transition:
            self._machine.check(Action.TRAIN_UP)
            status = await asyncio.to_thread(self.training.start, request)
            self._apply(Action.TRAIN_UP)
            return status

    async def stop_training(self, task_id: int) -> train_pb.TrainingStatus:
        async with self._transition:
            status = await asyncio.to_thread(self.training.stop, task_id)
            self._leave_training_if_idle()
            return status

    def _leave_training_if_idle(self) -> None:
        if self.state is ServiceState.TRAIN and not self.training.running():
            self._apply(Action.TRAIN_DOWN)
            if len(self._models):
                self._apply(Action.INFERENCE_UP)  # the models never left: serve again

    async def _watch_training(self) -> None:
        while True:
            await asyncio.sleep(TRAINING_WATCH_S)
            if self.state is ServiceState.TRAIN and not self.training.running():
                async with self._transition:
                    self._leave_training_if_idle()

    def _apply(self, action: Action) -> ServiceState:
        previous = self._machine.apply(action)
        self.metrics.state.state(self.state.value)
        return previous
