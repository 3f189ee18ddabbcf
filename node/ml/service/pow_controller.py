"""The PoW side of the ML node: one sprint or one validation round at a time, on one worker thread.

All torch work (model builds, sprints, batch validations) runs on a single PoW worker thread, so
two PoW computations never fight for the cores and the asyncio loop stays free for Health and
PowStatus. Phases (the reference's `/pow/status`):

    InitGenerate: IDLE/any -> LOADING -> GENERATING -> STOPPED (Stop, InitValidate) | FAILED
    InitValidate: IDLE/any -> LOADING (model build) -> VALIDATING | FAILED
    Stop:         any -> STOPPED
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import torch

from node.ml.pow.engine import SprintBatch
from node.ml.pow.validate import PocVerdict, validate_batch
from node.ml.pow.weights import build_model
from node.ml.service.errors import InvalidArgument, WrongPhase
from node.ml.service.pow_job import GenerationJob, Phase
from node.ml.service.pow_setup import PowSetup
from node.proto.gonka import ml_pb2 as pb

T = TypeVar("T")


@dataclass(frozen=True)
class PowStatus:
    phase: Phase
    block_hash: str
    block_height: int
    nonces_tried: int
    valid_found: int
    rate: float
    elapsed_s: float
    batches: int
    is_model_initialized: bool
    error: str
    batches_validated: int


class PowController:
    def __init__(
        self,
        *,
        dtype: torch.dtype,
        threads: int,
        fake_inflation: float | None,
        on_batch: Callable[[SprintBatch], None],
    ) -> None:
        self._dtype = dtype
        self._threads = threads
        self._fake_inflation = fake_inflation  # None: honest; else the fake-pow adversary's claims per real nonce
        self._on_batch = on_batch
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pow")
        self.job: GenerationJob | None = None  # the current or last sprint (its batches stay readable)
        self._job_done: asyncio.Future[None] | None = None
        self._validation: PowSetup | None = None
        self._validation_phase = Phase.IDLE
        self._validation_error = ""
        self._validated = 0

    @property
    def phase(self) -> Phase:
        if self._validation is not None:
            return self._validation_phase
        return self.job.phase if self.job is not None else self._validation_phase

    async def init_generate(self, setup: PowSetup) -> None:
        """End whatever runs, then start a sprint in the background."""
        await self.stop()
        job = GenerationJob(
            setup,
            asyncio.get_running_loop(),
            dtype=self._dtype,
            fake_inflation=self._fake_inflation,
            on_batch=self._on_batch,
        )
        self.job = job
        self._job_done = self._submit(job.run)

    async def init_validate(self, setup: PowSetup) -> None:
        """End generation, then build the block's model in the background (LOADING -> VALIDATING)."""
        await self.stop()
        self._validation, self._validation_phase, self._validation_error = setup, Phase.LOADING, ""
        self._validated = 0
        warm_up = self._submit(functools.partial(build_model, setup.params, setup.block_hash, self._dtype))
        warm_up.add_done_callback(functools.partial(self._warmed_up, setup))

    async def validate_batch(
        self, batch: pb.ProofBatch, validator_public_key: str, poc_start_height: int
    ) -> PocVerdict:
        """Recompute a sample of `batch` (queued behind the model build on the PoW worker)."""
        setup = self._validation
        if setup is None:
            raise WrongPhase(f"PoW phase is {self.phase.value}, not VALIDATING: call InitValidate first")
        if batch.block_hash != setup.block_hash:
            raise InvalidArgument(
                f"the batch is for block {batch.block_hash!r}, validation was initialized for {setup.block_hash!r}",
                "batch.block_hash",
            )
        if not batch.public_key:
            raise InvalidArgument("batch.public_key must not be empty", "batch.public_key")
        if not validator_public_key:
            raise InvalidArgument("validator_public_key must not be empty", "validator_public_key")
        verdict = await self._submit(
            functools.partial(
                validate_batch,
                setup.params,
                setup.block_hash,
                batch.public_key,
                list(batch.nonces),
                list(batch.dist),
                validator_public_key,
                poc_start_height or batch.block_height,
                dtype=self._dtype,
                r_target=setup.r_target,
                fraud_threshold=setup.fraud_threshold,
            )
        )
        self._validated += 1
        return verdict

    def follow(self, from_index: int) -> AsyncIterator[pb.ProofBatch]:
        if self.job is None:
            raise WrongPhase("no sprint has run on this node: call InitGenerate first")
        return self.job.follow(from_index)

    async def stop(self) -> None:
        """End the sprint (waiting for its current batch) and the validation round."""
        if self._validation is not None:
            self._validation, self._validation_phase = None, Phase.STOPPED
        if self.job is not None and self._job_done is not None:
            self.job.stop()
            await self._job_done
            self._job_done = None

    def status(self) -> PowStatus:
        job, validation = self.job, self._validation
        if validation is not None or job is None:
            return PowStatus(
                phase=self.phase,
                block_hash=validation.block_hash if validation else "",
                block_height=validation.block_height if validation else 0,
                nonces_tried=0,
                valid_found=0,
                rate=0.0,
                elapsed_s=0.0,
                batches=0,
                is_model_initialized=self._validation_phase is Phase.VALIDATING,
                error=self._validation_error,
                batches_validated=self._validated,
            )
        elapsed = job.elapsed()
        return PowStatus(
            phase=job.phase,
            block_hash=job.setup.block_hash,
            block_height=job.setup.block_height,
            nonces_tried=job.tried,
            valid_found=job.valid,
            rate=job.tried / elapsed if elapsed > 0 else 0.0,
            elapsed_s=elapsed,
            batches=len(job.batches),
            is_model_initialized=job.model_ready,
            error=job.error,
            batches_validated=0,
        )

    def close(self) -> None:
        if self.job is not None:
            self.job.stop()
        self._worker.shutdown(wait=True, cancel_futures=True)

    def _submit(self, fn: Callable[[], T]) -> asyncio.Future[T]:
        return asyncio.get_running_loop().run_in_executor(self._worker, self._with_threads, fn)

    def _with_threads(self, fn: Callable[[], T]) -> T:
        torch.set_num_threads(self._threads)  # process-wide; only PoW work runs while the node is in POW
        return fn()

    def _warmed_up(self, setup: PowSetup, done: asyncio.Future[object]) -> None:
        error = "cancelled" if done.cancelled() else done.exception()  # read even when unused: no asyncio warning
        if self._validation is not setup:  # stopped or re-initialized meanwhile
            return
        if error is None:
            self._validation_phase = Phase.VALIDATING
        else:
            self._validation_phase, self._validation_error = Phase.FAILED, f"model build failed: {error!r}"
