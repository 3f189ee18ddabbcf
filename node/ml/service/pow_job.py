"""One PoW sprint running on the PoW worker thread, and the batches it found so far.

The worker builds the seeded model (phase LOADING), then sprints (GENERATING) until stopped.
Each computed batch with valid nonces becomes one `ProofBatch` in an append-only log, which any
number of gRPC streams follow from the event loop: the worker wakes them through the loop, so the
CPU-bound torch work never runs on the loop itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from enum import StrEnum

import torch

from node.ml.pow.engine import PowEngine, SprintBatch
from node.ml.pow.fake import FakePowGenerator
from node.ml.service.pow_setup import PowSetup
from node.proto.gonka import ml_pb2 as pb

log = logging.getLogger("gonka.ml.pow")


class Phase(StrEnum):
    IDLE = "IDLE"
    LOADING = "LOADING"
    GENERATING = "GENERATING"
    VALIDATING = "VALIDATING"
    STOPPED = "STOPPED"
    FAILED = "FAILED"


class GenerationJob:
    """A sprint for one (block, public key, node share); `run` on a worker, `follow` on the loop."""

    def __init__(
        self,
        setup: PowSetup,
        loop: asyncio.AbstractEventLoop,
        *,
        dtype: torch.dtype,
        fake_inflation: float | None,
        on_batch: Callable[[SprintBatch], None],
    ) -> None:
        self.setup = setup
        self.phase = Phase.LOADING
        self.error = ""
        self.batches: list[pb.ProofBatch] = []
        self.tried = 0
        self.valid = 0
        self.started = time.monotonic()
        self.generating_since: float | None = None
        self.ended: float | None = None
        self._loop = loop
        self._dtype = dtype
        self._fake_inflation = fake_inflation
        self._on_batch = on_batch
        self._stop = threading.Event()
        self._changed = asyncio.Event()

    @property
    def finished(self) -> bool:
        return self.ended is not None

    @property
    def model_ready(self) -> bool:
        return self.generating_since is not None

    def elapsed(self) -> float:
        """Seconds spent generating (0 while loading)."""
        if self.generating_since is None:
            return 0.0
        return (self.ended or time.monotonic()) - self.generating_since

    def stop(self) -> None:
        """Ask the worker to stop before its next batch; `run` then returns."""
        self._stop.set()

    def run(self) -> None:
        """The sprint, on the PoW worker thread (blocking until stopped)."""
        setup = self.setup
        try:
            engine = PowEngine(
                setup.params, setup.block_hash, setup.public_key, dtype=self._dtype, r_target=setup.r_target
            )
            generator = engine if self._fake_inflation is None else FakePowGenerator(engine, self._fake_inflation)
            self.generating_since = time.monotonic()
            self._set_phase(Phase.GENERATING)
            for batch in generator.sprint(setup.node_id, setup.node_count, setup.batch_size, stop_event=self._stop):
                self._record(batch)
            final = Phase.STOPPED
        except Exception as exc:  # reported through PowStatus; the node itself stays up
            log.exception("PoW sprint on block %s failed", setup.block_hash)
            self.error = f"{type(exc).__name__}: {exc}"
            final = Phase.FAILED
        self.ended = time.monotonic()
        self._set_phase(final)

    async def follow(self, from_index: int = 0) -> AsyncIterator[pb.ProofBatch]:
        """Batches from `from_index` on, as they come; ends once the sprint has ended."""
        index = max(from_index, 0)
        while True:
            changed = self._changed  # taken before the checks, so no wake-up is missed
            if index < len(self.batches):
                yield self.batches[index]
                index += 1
            elif self.finished:
                return
            else:
                await changed.wait()

    def _record(self, batch: SprintBatch) -> None:
        self.tried, self.valid = batch.total_tried, batch.total_valid
        self._on_batch(batch)
        if len(batch.nonces):
            setup = self.setup
            self.batches.append(
                pb.ProofBatch(
                    block_hash=setup.block_hash,
                    public_key=setup.public_key,
                    block_height=setup.block_height,
                    node_id=setup.node_id,
                    nonces=batch.nonces.tolist(),
                    dist=batch.dists.tolist(),
                    nonces_tried_so_far=batch.total_tried,
                    elapsed_s=time.monotonic() - self.started,
                    batch_index=len(self.batches),
                )
            )
            self._notify()

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._notify()

    def _notify(self) -> None:
        with suppress(RuntimeError):  # the loop is gone: the server is shutting down
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
