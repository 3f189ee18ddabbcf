"""The validation scheduler: which finished inferences this node re-runs, and its revalidation votes (§5).

Every `inference_finished` of another executor, and every `inference_validation` that
opened an invalidation vote, becomes a job in a durable queue (data_dir, fsync) before the
block is recorded as processed, so a restart loses none. A worker takes the jobs in order:

- validate: decide with this node's secret seed for the inference's epoch (the epoch that
  was effective when it finished; seeds.py keeps one per epoch) and this node's weight in
  that epoch's group, by the shared should-validate rule — the chain recomputes the very
  same set at claim time. If chosen, re-run the executor's tokens on a local ML node
  (teacher-forced: request = the stored prompt_payload, claim = the stored
  response_payload) and send MsgValidation{value_ppm = similarity x 10^6 rounded down}.
- revalidate: every member re-runs and votes (MsgValidation with revalidation=true),
  except the validator whose failed verdict opened the vote (that verdict is its vote).

The queue's and the cursor's fsyncs (two per write, ~15 ms on a plain VM disk) run in a
worker thread, one write at a time, so they never stall the requests the node serves.

Runs only while an ML node is in inference mode, with ctx.ml_lock held so the orchestrator
cannot switch it mid-run; otherwise the job waits for a later block. A job whose seed is
not drawn yet waits too; one whose epoch's seed can no longer be drawn is dropped (no seed
committed: no claim, no duty). An inference of a model this node does not serve passes
unchecked (value 1.0), as the reference's validator does. A job that keeps failing for
other reasons is dropped after MAX_ATTEMPTS, with an error in the log.

The `lazy-validator` adversary queues nothing: it skips its whole duty, which the chain
punishes at claim time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, TypeVar

import grpc

from node.api.chain_link import ChainQueryError
from node.api.context import ApiContext
from node.api.events import (
    ChainBlock,
    HeightCursor,
    InferenceFinished,
    RevalidationRequest,
    TxOutcome,
    follow_blocks,
    read_json,
    send_tx,
    write_json_durably,
)
from node.api.seeds import SeedStore
from node.core.tx import register_message
from node.core.validation_policy import PPM, FinishedInference, should_validate
from node.ml.client import MlNodeClient, MlNodeError, MlNodeUnavailable
from node.proto.gonka.validation_pb2 import MsgValidation, ValidationParams

log = logging.getLogger(__name__)
T = TypeVar("T")

QUEUE_FILE = "validation_queue.json"
CURSOR_FILE = "validator_height.json"
MAX_ATTEMPTS = 5
RETRY_S = 1.0
LAZY = "lazy-validator"

register_message(MsgValidation)


class Kind(StrEnum):
    VALIDATE = "validate"
    REVALIDATE = "revalidate"


@dataclass(frozen=True)
class Job:
    kind: Kind
    inference_id: str
    model: str
    epoch: int  # the inference's epoch (validate); -1 for votes, which are no claim-time duty
    finished: FinishedInference | None  # validate only
    attempts: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return self.kind.value, self.inference_id

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"kind": self.kind.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        finished = data["finished"]
        return cls(
            Kind(data["kind"]),
            data["inference_id"],
            data["model"],
            data["epoch"],
            None if finished is None else FinishedInference(**finished),
            data["attempts"],
        )


def jobs_in_block(block: ChainBlock, me: str, adversary: str) -> list[Job]:
    """The work a block brings this node, in event order."""
    if adversary == LAZY:
        return []
    jobs = []
    for event in block.events:
        if event.type == "inference_finished":
            finished = InferenceFinished.from_event(event)
            if finished.inference.executor != me:
                inference = finished.inference
                jobs.append(Job(Kind.VALIDATE, inference.inference_id, finished.model, finished.epoch, inference))
        elif event.type == "inference_validation":
            vote = RevalidationRequest.from_event(event)
            if vote is not None and vote.validator != me:
                jobs.append(Job(Kind.REVALIDATE, vote.inference_id, vote.model, -1, None))
    return jobs


class JobQueue:
    """The pending jobs, in data_dir; a job leaves it only once its outcome is final."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / QUEUE_FILE
        self.jobs = [Job.from_json(item) for item in read_json(self.path, [])]

    def _save(self) -> None:
        write_json_durably(self.path, [job.to_json() for job in self.jobs])

    def add(self, jobs: list[Job]) -> None:
        known = {job.key for job in self.jobs}
        fresh = [job for job in jobs if job.key not in known]  # a replayed block adds nothing twice
        if fresh:
            self.jobs.extend(fresh)
            self._save()

    def first(self) -> Job | None:
        return self.jobs[0] if self.jobs else None

    def remove(self, job: Job) -> None:
        self.jobs = [queued for queued in self.jobs if queued.key != job.key]
        self._save()

    def failed(self, job: Job) -> Job:
        """Count a failed attempt; the job stays first in line."""
        counted = replace(job, attempts=job.attempts + 1)
        self.jobs = [counted if queued.key == job.key else queued for queued in self.jobs]
        self._save()
        return counted

    def pending(self, epoch: int) -> int:
        """Validations of `epoch`'s inferences still to do (a claim for `epoch` waits for them)."""
        return sum(job.kind is Kind.VALIDATE and job.epoch == epoch for job in self.jobs)


def pending_validations(data_dir: Path, epoch: int) -> int:
    """For the orchestrator's claim: reads the queue as the validator last saved it."""
    return JobQueue(data_dir).pending(epoch)


class Decision(Enum):
    RUN = "run"
    SKIP = "skip"
    WAIT = "wait"  # no seed for the epoch yet


def decide(
    job: Job, me: str, seed: int | None, power: int, params: ValidationParams, latest_epoch: int
) -> Decision:
    """Whether this node must re-run `job` now. A seed for epoch e is drawn while e is the
    chain's latest epoch (at its PoC start; at start-up in the genesis epoch), so a missing
    seed of an epoch that is no longer the latest will never come."""
    if job.kind is Kind.REVALIDATE:
        return Decision.RUN
    assert job.finished is not None
    if job.finished.executor == me:
        return Decision.SKIP
    if seed is None:
        return Decision.WAIT if job.epoch >= latest_epoch else Decision.SKIP
    return Decision.RUN if should_validate(seed, me, power, job.finished, params) else Decision.SKIP


def value_ppm(similarity: float) -> int:
    """The similarity in ppm, rounded down, within 0..10^6 (a NaN counts as 0)."""
    if math.isnan(similarity):
        return 0
    return min(max(math.floor(similarity * PPM), 0), PPM)


class Outcome(Enum):
    DONE = "done"
    NOT_READY = "not ready"  # no ML node in inference mode, or no seed yet: try at a later block
    FAILED = "failed"  # counts towards MAX_ATTEMPTS


class Validator:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.queue = JobQueue(ctx.data_dir)
        self.cursor = HeightCursor(ctx.data_dir / CURSOR_FILE)
        self.seeds = SeedStore(ctx.data_dir)
        self.params: ValidationParams | None = None
        self._followed = 0  # the last block height _follow took in
        self._power_seen: tuple[int, int, int] | None = None  # (epoch, _followed, power) of the last query
        self._new_block = asyncio.Event()
        self._writing = asyncio.Lock()  # the queue's file is written in the order its changes were made

    async def _durably(self, write: Callable[..., T], *args: Any) -> T:
        """A queue or cursor change, written in a worker thread (see the module's doc)."""
        async with self._writing:
            return await asyncio.to_thread(write, *args)

    async def run(self) -> None:
        if self.ctx.adversary == LAZY:
            log.warning("%s: adversary %s: skipping every validation", self.ctx.name, LAZY)
        async with asyncio.TaskGroup() as group:  # if either half dies, so does the validator (loudly)
            group.create_task(self._follow(), name=f"{self.ctx.name}-validator-follow")
            group.create_task(self._work(), name=f"{self.ctx.name}-validator-work")

    async def _start_height(self) -> int:
        last = self.cursor.load()
        if last:
            return last + 1
        while True:
            try:
                return (await self.ctx.chain.status()).height + 1  # a fresh node owes nothing from before
            except grpc.aio.AioRpcError as error:
                log.warning("%s: chain status failed (%s); retrying", self.ctx.name, error.code().name)
                await asyncio.sleep(RETRY_S)

    async def _follow(self) -> None:
        async for block in follow_blocks(self.ctx.chain, await self._start_height()):
            await self._durably(self.queue.add, jobs_in_block(block, self.ctx.address, self.ctx.adversary))
            await self._durably(self.cursor.save, block.height)  # only after the block's jobs are durable
            self._followed = block.height
            self._new_block.set()

    async def _next_block(self) -> None:
        await self._new_block.wait()
        self._new_block.clear()

    async def _work(self) -> None:
        while True:
            job = self.queue.first()
            if job is None:
                await self._next_block()
                continue
            try:
                outcome = await self._handle(job)
            except (grpc.aio.AioRpcError, ChainQueryError, MlNodeError) as error:
                log.warning("%s: %s of %s failed: %s", self.ctx.name, job.kind.value, job.inference_id[:16], error)
                outcome = Outcome.FAILED
            if outcome is Outcome.DONE:
                await self._durably(self.queue.remove, job)
            elif outcome is Outcome.NOT_READY:
                await self._next_block()
            else:
                job = await self._durably(self.queue.failed, job)
                if job.attempts >= MAX_ATTEMPTS:
                    log.error("%s: gave up on %s of %s", self.ctx.name, job.kind.value, job.inference_id)
                    await self._durably(self.queue.remove, job)
                else:
                    await asyncio.sleep(RETRY_S * job.attempts)

    async def _validation_params(self) -> ValidationParams:
        if self.params is None:
            self.params = ValidationParams(**(await self.ctx.chain.query("params"))["validation"])
        return self.params

    async def _power(self, epoch: int) -> int:
        """This node's weight in `epoch`'s group (0 when not a member), read at most once per block:
        every inference of a block's Finish txs asks for it, and only a block can change it."""
        seen = self._power_seen
        if seen is not None and seen[:2] == (epoch, self._followed):
            return seen[2]
        followed = self._followed  # the answer is at least as new as this block
        group = await self.ctx.chain.query("epoch_group", epoch=epoch)
        power = next((int(m["weight"]) for m in group["members"] if m["address"] == self.ctx.address), 0)
        self._power_seen = (epoch, followed, power)
        return power

    async def _handle(self, job: Job) -> Outcome:
        if job.kind is Kind.VALIDATE:
            seed = self.seeds.get(job.epoch)
            power = 0 if seed is None else await self._power(job.epoch)
            params = await self._validation_params()
            decision = decide(job, self.ctx.address, seed, power, params, self.ctx.epoch.epoch_index)
            if decision is Decision.WAIT:
                return Outcome.NOT_READY
            if decision is Decision.SKIP:
                return Outcome.DONE
        inference = await self.ctx.chain.query("inference", inference_id=job.inference_id)
        if job.kind is Kind.REVALIDATE and (inference["vote"] or {}).get("outcome"):
            return Outcome.DONE  # the vote closed before this node got to it
        value = await self._rerun(job, inference)
        if value is None:
            return Outcome.NOT_READY
        message = MsgValidation(
            creator=self.ctx.address,
            inference_id=job.inference_id,
            response_hash=inference["response_hash"],
            value_ppm=value,
            revalidation=job.kind is Kind.REVALIDATE,
        )
        what = f"{self.ctx.name}: {job.kind.value} of {job.inference_id[:16]}… value {value / PPM:.6f}"
        if await send_tx(self.ctx.tx, [message], what) is TxOutcome.UNKNOWN:
            return Outcome.FAILED
        return Outcome.DONE  # committed, a duplicate (sent before), or refused for good

    async def _rerun(self, job: Job, inference: dict[str, Any]) -> int | None:
        """The similarity (ppm) of a local re-run with the executor's tokens; None if no ML node can run it now."""
        if job.model != self.ctx.model:
            log.info("%s: %s is not served here; %s passes unchecked", self.ctx.name, job.model, job.inference_id[:16])
            return PPM
        try:
            request = json.loads(inference["prompt_payload"])
            claimed = json.loads(inference["response_payload"])
        except ValueError:
            log.warning("%s: inference %s has unreadable payloads; it fails", self.ctx.name, job.inference_id[:16])
            return 0
        async with self.ctx.ml_lock:
            ml = await self._inference_node()
            if ml is None:
                return None
            try:
                verdict = await ml.validate_inference(request, claimed)
            except MlNodeError as error:
                if isinstance(error, MlNodeUnavailable) or error.code != grpc.StatusCode.INVALID_ARGUMENT:
                    raise
                short = job.inference_id[:16]
                log.warning("%s: the stored request of %s is invalid (%s); it fails", self.ctx.name, short, error)
                return 0
        return value_ppm(float(verdict["similarity"]))

    async def _inference_node(self) -> MlNodeClient | None:
        """An ML node that serves this node's model right now."""
        for ml in self.ctx.ml_nodes:
            try:
                health = await ml.health()
            except MlNodeError:
                continue
            if health["state"] == "INFERENCE" and any(m["id"] == self.ctx.model for m in health["models"]):
                return ml
        return None


async def run_validator(ctx: ApiContext) -> None:
    """Validate this node's share of finished inferences and vote, until cancelled."""
    await Validator(ctx).run()
