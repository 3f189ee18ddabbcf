"""The epoch orchestrator: drives this node's ML nodes and PoC duties through each epoch (§1, §2, §9).

It follows the chain's blocks from the one after the last it processed (data_dir), keeps
ctx.epoch current, and reacts to the `epoch_stage` block events:

    poc_start             commit the seed for the new epoch; sprint on every ML node, send batches
    poc_generation_end    ML nodes to PoW validation (ends generation; the batch stream drains)
    poc_validation_start  validate every participant's batches (own included)
    poc_validation_end    ML nodes back to inference
    set_new_validators    forget seeds older than the previous epoch
    claim_money           claim the previous epoch with its seed

The block loop never waits for an ML node (stopping a sprint waits for its running batch;
loading a model can take minutes), so ctx.epoch stays at the chain's head: ML mode
switches are queued to one worker that runs them in stage order, each holding ctx.ml_lock
and checking again, when its turn comes, that its stage still matters.

A stage seen late (replayed after a restart) acts only while its work can still count: the
sprint while batches are accepted, PoC validation until its window closes, the seed commit
until the new group forms. A restart inside a PoC re-reads that PoC's stages, so the sprint
or the validation is picked up again (poc.py never sends a nonce twice). Two duties are
re-tried at every block until they succeed, so a failed step heals later instead of being
lost: ML nodes back in inference whenever the chain's phase is Inference and they are not
(at start-up too), and the claim. The genesis epoch has no PoC start: its seed is
committed at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import grpc

from node.api import poc
from node.api.chain_link import ChainQueryError
from node.api.claims import claim_rewards
from node.api.context import ApiContext
from node.api.events import ChainBlock, EpochStage, HeightCursor, follow_blocks
from node.api.seeds import SeedStore, commit_seed
from node.api.validator import pending_validations
from node.ml.client import MlNodeError

log = logging.getLogger(__name__)

CURSOR_FILE = "orchestrator_height.json"
DEFAULT_POW_PARAMS = "devnet"  # the ML nodes' PoW parameter set when the chain names none
INFERENCE_PHASE = "Inference"
RETRY_S = 1.0
HICCUPS = (grpc.aio.AioRpcError, ChainQueryError, MlNodeError)
T = TypeVar("T")


class Orchestrator:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.seeds = SeedStore(ctx.data_dir)
        self.cursor = HeightCursor(ctx.data_dir / CURSOR_FILE)
        self.pow_params = DEFAULT_POW_PARAMS
        self.max_nonces_per_batch = 0
        self.inference_wanted = True
        self.claim_due = True
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._advanced = asyncio.Event()
        self._switches: asyncio.Queue[tuple[str, Callable[[], Awaitable[None]]]] = asyncio.Queue()
        self._inference_queued = False

    # -- main loop -----------------------------------------------------------------------------

    async def run(self) -> None:
        self._run("ml-switches", self._switch_worker())
        try:
            from_height = await self._retrying("start-up", self._start)
            async for block in follow_blocks(self.ctx.chain, from_height):
                await self._on_block(block)
                await asyncio.to_thread(self.cursor.save, block.height)  # its fsyncs must not stall requests
        finally:
            tasks = list(self._tasks.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _retrying(self, what: str, call: Callable[..., Awaitable[T]], *args: Any) -> T:
        """`call(*args)` until the chain answers it."""
        while True:
            try:
                return await call(*args)
            except (grpc.aio.AioRpcError, ChainQueryError) as error:
                log.warning("%s: %s failed (%s); retrying in %.0f s", self.ctx.name, what, error, RETRY_S)
                await asyncio.sleep(RETRY_S)

    async def _start(self) -> int:
        """Read the chain's settings and epoch; the height to follow blocks from."""
        chain = self.ctx.chain
        poc_params = (await chain.query("params"))["poc"]
        self.pow_params = poc_params.get("pow_params") or DEFAULT_POW_PARAMS
        self.max_nonces_per_batch = int(poc_params["max_nonces_per_batch"])
        status = await chain.status()
        latest = await chain.query("epoch")
        view = self.ctx.epoch
        view.height, view.block_hash, view.block_time_ms = (
            status.height, status.latest_block_hash.hex(), status.latest_block_time_ms
        )
        self._set_epoch(latest)
        if latest["epoch_index"] == 0:
            self._commit_seed(0)
        last = self.cursor.load()
        from_height = last + 1 if last else status.height + 1
        stages = latest["stages"]
        if stages and stages["poc_start"] <= status.height <= stages["poc_validation_end"]:
            from_height = min(from_height, stages["poc_start"])  # inside a PoC: pick up its stages again
        log.info("%s: orchestrator following blocks from %d (epoch %d, %s)",
                 self.ctx.name, from_height, view.epoch_index, view.phase)
        return from_height

    def _set_epoch(self, info: dict[str, Any]) -> None:
        view = self.ctx.epoch
        view.epoch_index = int(info["epoch_index"])
        view.phase = info["phase"]
        view.poc_start_height = int(info["poc_start_height"] or 0)

    async def _on_block(self, block: ChainBlock) -> None:
        stages = [EpochStage.from_event(event) for event in block.of_type("epoch_stage")]
        info = await self._retrying("epoch query", self._epoch_at, block.height) if stages else None
        view = self.ctx.epoch
        if block.height >= view.height:  # a replay after a restart leaves the view at the head
            view.height, view.block_hash, view.block_time_ms = block.height, block.hash, block.time_ms
            view.seen_at = time.monotonic()
            if info is not None:
                self._set_epoch(info)
            self._advanced.set()
            self._advanced = asyncio.Event()
        for stage in stages:
            assert info is not None
            try:
                await self._on_stage(stage, info["stages"], block)
            except HICCUPS as error:
                log.warning("%s: %s of epoch %d failed: %s", self.ctx.name, stage.stage, stage.epoch_index, error)
        self._heal()

    async def _epoch_at(self, height: int) -> dict[str, Any]:
        return await self.ctx.chain.query("epoch", height=height)

    # -- stages ----------------------------------------------------------------------------------

    async def _on_stage(self, stage: EpochStage, stages: dict[str, Any], block: ChainBlock) -> None:
        ctx, head = self.ctx, self.ctx.epoch.height
        log.info("%s: stage %s of epoch %d at %d", ctx.name, stage.stage, stage.epoch_index, stage.height)
        if stage.stage == "poc_start":
            if head <= stages["poc_validation_end"]:  # seeds are accepted until the group forms
                self._commit_seed(stage.epoch_index)
            if head < stages["batch_window"]["end"]:
                self._switch("sprint", self._sprint(await self._round(stage, stages, block), stages))
        elif stage.stage == "poc_generation_end":
            if head < stages["poc_validation_end"]:
                self._switch("validation start", self._start_validation(await self._round(stage, stages, block)))
        elif stage.stage == "poc_validation_start":
            if head < stages["poc_validation_end"]:
                round_ = await self._round(stage, stages, block)
                self._switch("validation start", self._start_validation(round_))  # a no-op unless replayed
                self._switch("validation", self._validate(round_))
        elif stage.stage == "poc_validation_end":
            self._cancel("poc-validation")
            self.inference_wanted = True
        elif stage.stage == "set_new_validators":
            self.seeds.prune(keep_from_epoch=stage.epoch_index - 1)  # the previous one is claimed next
        elif stage.stage == "claim_money":
            self.claim_due = True

    # -- ML mode switches, in stage order ---------------------------------------------------------

    def _switch(self, name: str, action: Callable[[], Awaitable[None]]) -> None:
        self._switches.put_nowait((name, action))

    async def _switch_worker(self) -> None:
        while True:
            name, action = await self._switches.get()
            await self._logged(name, action())

    def _sprint(self, round_: poc.PocRound, stages: dict[str, Any]) -> Callable[[], Awaitable[None]]:
        async def action() -> None:
            if self._height() >= round_.batch_window_end:
                return
            generate = self._height() < stages["poc_generation_end"]
            sprint = await poc.start_sprint(self.ctx, round_, generate)
            self._run("sprint", poc.submit_batches(self.ctx, round_, sprint, self._height))

        return action

    def _start_validation(self, round_: poc.PocRound) -> Callable[[], Awaitable[None]]:
        async def action() -> None:
            if self._height() < round_.validation_window_end:
                await poc.start_validation(self.ctx, round_)

        return action

    def _validate(self, round_: poc.PocRound) -> Callable[[], Awaitable[None]]:
        async def action() -> None:
            if self._height() < round_.validation_window_end:
                self._run("poc-validation", poc.validate_batches(self.ctx, round_, self._height, self._reached))

        return action

    async def _round(self, stage: EpochStage, stages: dict[str, Any], block: ChainBlock) -> poc.PocRound:
        poc_start = stage.poc_start_height
        block_hash = block.hash if block.height == poc_start else (await self.ctx.chain.block(poc_start)).hash.hex()
        return poc.PocRound(
            poc_start=poc_start,
            block_hash=block_hash,
            pow_params=self.pow_params,
            batch_window_end=stages["batch_window"]["end"],
            validation_window_end=stages["poc_validation_end"],
            max_nonces_per_batch=self.max_nonces_per_batch,
        )

    def _commit_seed(self, epoch: int) -> None:
        name = f"seed-{epoch}"
        if not self._running(name):  # a replayed PoC start must not cut a commit short
            self._run(name, commit_seed(self.ctx, self.seeds, epoch))

    def _height(self) -> int:
        return self.ctx.epoch.height

    async def _reached(self, height: int) -> None:
        while self.ctx.epoch.height < height:
            await self._advanced.wait()

    # -- duties re-tried at every block -----------------------------------------------------------

    def _heal(self) -> None:
        if self.inference_wanted and self.ctx.epoch.phase == INFERENCE_PHASE and not self._inference_queued:
            self._inference_queued = True
            self._switch("inference up", self._inference_up)
        if self.claim_due and not self._running("claim"):
            self._run("claim", self._claim())

    async def _inference_up(self) -> None:
        ctx = self.ctx
        try:
            training = False
            async with ctx.ml_lock:
                for ml in ctx.ml_nodes:
                    health = await ml.health()
                    if health["state"] == "INFERENCE" and any(m["id"] == ctx.model for m in health["models"]):
                        continue
                    if health["state"] == "TRAIN":
                        training = True  # its workers run: looked at again at the next block
                        continue
                    if health["state"] == "POW":
                        await ml.stop()  # loading a model is refused while PoW runs
                    await ml.load_model(ctx.model)
                    log.info("%s: ML node %s serves %s", ctx.name, ml.url, ctx.model)
            self.inference_wanted = training
        finally:
            self._inference_queued = False  # on failure: queued again at the next block

    async def _claim(self) -> None:
        if await claim_rewards(self.ctx, self.seeds, lambda epoch: pending_validations(self.ctx.data_dir, epoch)):
            self.claim_due = False

    # -- background tasks ---------------------------------------------------------------------------

    def _running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def _cancel(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()

    def _run(self, name: str, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` in the background, replacing a task of the same name; failures are logged."""
        self._cancel(name)
        self._tasks = {key: task for key, task in self._tasks.items() if not task.done()}
        self._tasks[name] = asyncio.create_task(self._logged(name, work), name=f"{self.ctx.name}-{name}")

    async def _logged(self, name: str, work: Coroutine[Any, Any, Any]) -> None:
        try:
            await work
        except HICCUPS as error:
            log.warning("%s: %s failed: %s", self.ctx.name, name, error)
        except Exception:
            log.exception("%s: %s failed", self.ctx.name, name)  # a bug: logged, the node goes on


async def run_orchestrator(ctx: ApiContext) -> None:
    """Drive this node through every epoch, until cancelled."""
    await Orchestrator(ctx).run()
