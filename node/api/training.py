"""The api node's training duty: it runs this host's part of every training task on chain.

Each poll (about once a block) reads the live tasks from the chain and, for each:

- assigned to this host, OPEN or TRAINING: make sure its worker runs on the first ML node
  (StartTraining with the task's spec, this host's shard and the run's lighthouse) and relay the
  worker's event log to the chain: `started` -> MsgJoinTrainingTask (a restarted worker re-joins),
  `heartbeat` -> MsgTrainingHeartbeat (at most every HEARTBEAT_EVERY_S), `commit` ->
  MsgCommitTrainingStep (what piled up while a tx waited for its block goes in one tx). A worker
  that dies (FAILED) is started again, up to MAX_RESTARTS times: it re-joins and torchft heals it
  from the live workers. StartTraining refused because a PoW sprint runs is simply tried again
  at the next poll. A restart does not wait for the relay to catch up with the dead worker's
  events: the new worker appends to the same log, and one relay at a time reads it in order.
- the lighthouse: the task's first assignee (shard 0, its coordinator) runs the torchft
  lighthouse beside its api node for as long as the task trains; the other assignees ask the
  coordinator's api node for its address (training_routes.py), found through its participant url
  on chain. So a dying worker, the coordinator's included, never takes the quorum down with it.
- VALIDATING: vote once on every other worker that committed steps and has no verdict yet:
  its ML node re-executes random segments (ValidateTraining), fetching the worker's artifacts
  from the worker's ML node (whose address the worker's api node publishes, like the
  lighthouse), and the verdict goes on chain as MsgSubmitTrainingValidation.

Everything is re-derived from the chain and the ML node at every poll, so a restarted api node
picks its duties up again (its relays re-send old events: joins count as re-joins and repeated
commits are refused as duplicates).
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import grpc
import httpx
from google.protobuf.message import Message

from node.api.chain_link import ChainQueryError
from node.api.context import ApiContext
from node.api.events import TxOutcome, send_tx
from node.core.tx import register_message
from node.ml.training.lighthouse import start_lighthouse
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc
from node.proto.gonka.training_tasks_pb2 import (
    MsgCommitTrainingStep,
    MsgJoinTrainingTask,
    MsgSubmitTrainingValidation,
    MsgTrainingHeartbeat,
    SegmentCheck,
    StepCommitment,
)

log = logging.getLogger(__name__)

for _message in (MsgJoinTrainingTask, MsgTrainingHeartbeat, MsgCommitTrainingStep, MsgSubmitTrainingValidation):
    register_message(_message)

POLL_S = 1.0
HEARTBEAT_EVERY_S = 2.0
RELAY_BATCH = 32  # progress messages in one tx at most (each well under 1 KB)
MAX_RESTARTS = 3
VALIDATION_SEGMENTS = 2
VALIDATE_TIMEOUT_S = 300.0
PEER_TIMEOUT_S = 5.0
LIVE = ("OPEN", "TRAINING")
UNDECIDED = ("ACTIVE", "DROPPED")  # worker statuses that still wait for a verdict
ENDPOINTS_PATH = "/v1/training/tasks/{task_id}/endpoints"


@dataclass
class TaskDuty:
    """What this host keeps for one task it works on."""

    relay: asyncio.Task[None] | None = None
    relayed: int = 0  # worker events handled so far (a restarted worker appends to the same log)
    restarts: int = 0
    last_beat: float = 0.0
    lighthouse: subprocess.Popen[bytes] | None = None
    lighthouse_url: str = ""
    validation: asyncio.Task[None] | None = None
    voted: set[str] = field(default_factory=set)  # workers this host has voted on (or may not)


class TrainingDriver:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.ml_url = ctx.ml_nodes[0].url  # a host trains on its first ML node
        self.duties: dict[int, TaskDuty] = {}
        self._channel = grpc.aio.insecure_channel(self.ml_url)
        self.ml = pb_grpc.TrainingStub(self._channel)
        self._http = httpx.AsyncClient(timeout=PEER_TIMEOUT_S)
        self.folder = ctx.data_dir / "training"

    # -- what training_routes.py publishes ------------------------------------------------------

    def endpoints(self, task_id: int) -> dict[str, str]:
        duty = self.duties.get(task_id)
        return {"lighthouse": duty.lighthouse_url if duty else "", "artifacts": self.ml_url}

    # -- main loop -------------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self._poll()
                except (grpc.aio.AioRpcError, ChainQueryError, httpx.HTTPError) as error:
                    log.warning("%s: training poll failed: %s", self.ctx.name, error)
                await asyncio.sleep(POLL_S)
        finally:
            await self.close()

    async def close(self) -> None:
        for duty in self.duties.values():
            for task in (duty.relay, duty.validation):
                if task is not None:
                    task.cancel()
            self._stop_lighthouse(duty)
        await self._http.aclose()
        await self._channel.close()

    async def _logged(self, what: str, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except (grpc.aio.AioRpcError, ChainQueryError, httpx.HTTPError) as error:
            log.warning("%s: %s failed: %s", self.ctx.name, what, error)  # the next poll tries again

    async def _poll(self) -> None:
        listed = (await self.ctx.chain.query("training_tasks"))["tasks"]
        for entry in listed:
            if entry["status"] in (*LIVE, "VALIDATING") or entry["id"] in self.duties:
                task = await self.ctx.chain.query("training_task", task_id=entry["id"])
                await self._on_task(task)

    async def _on_task(self, task: dict[str, Any]) -> None:
        task_id = int(task["id"])
        assigned = self.ctx.address in task["assignees"]
        if task["status"] in LIVE and assigned:
            duty = self.duties.setdefault(task_id, TaskDuty())
            await self._keep_training(task, duty)
        elif task["status"] == "VALIDATING":
            duty = self.duties.setdefault(task_id, TaskDuty())
            await self._stop_worker(task_id, duty)
            if duty.validation is None or duty.validation.done():
                duty.validation = asyncio.create_task(self._logged(f"validation of task {task_id}",
                                                                   self._validate_all(task, duty)))
        elif task_id in self.duties:  # settled or cancelled: nothing left to do
            duty = self.duties.pop(task_id)
            await self._stop_worker(task_id, duty)

    # -- training --------------------------------------------------------------------------------

    async def _keep_training(self, task: dict[str, Any], duty: TaskDuty) -> None:
        task_id = int(task["id"])
        if task["assignees"][0] == self.ctx.address and duty.lighthouse is None:
            await self._start_lighthouse(task, duty)
        status = await self.ml.GetTrainingStatus(pb.TrainingStatusRequest(task_id=task_id))
        if status.state in ("RUNNING", "DONE"):  # DONE: hand over what is left; the chain moves the task on
            if duty.relay is None or duty.relay.done():
                duty.relay = asyncio.create_task(self._logged(f"relay of task {task_id}", self._relay(task_id, duty)))
            return
        if status.state == "IDLE" or (status.state == "FAILED" and duty.restarts < MAX_RESTARTS):
            url = duty.lighthouse_url or await self._peer_endpoint(task["assignees"][0], task_id, "lighthouse")
            if not url:
                return  # the coordinator has not started the lighthouse yet
            if status.state == "FAILED":
                duty.restarts += 1
                log.warning("%s: worker of task %d failed (%s); restart %d", self.ctx.name, task_id, status.error,
                            duty.restarts)
            await self._start_worker(task, url)

    async def _start_worker(self, task: dict[str, Any], lighthouse_url: str) -> None:
        task_id = int(task["id"])
        request = pb.StartTrainingRequest(
            task_id=task_id,
            spec_json=json.dumps(task["spec"]),
            shard=task["assignees"].index(self.ctx.address),
            num_shards=len(task["assignees"]),
            lighthouse_url=lighthouse_url,
            replica_id=self.ctx.name,  # stable: a restarted worker rejoins as the same replica
        )
        try:
            status = await self.ml.StartTraining(request)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ALREADY_EXISTS):
                log.info("%s: task %d not started yet: %s", self.ctx.name, task_id, error.details())
                return  # a sprint runs (tried again next poll), or the worker already runs
            raise
        log.info("%s: worker of task %d started (pid %d, shard %d)", self.ctx.name, task_id, status.pid,
                 request.shard)

    async def _stop_worker(self, task_id: int, duty: TaskDuty) -> None:
        self._stop_lighthouse(duty)
        status = await self.ml.GetTrainingStatus(pb.TrainingStatusRequest(task_id=task_id))
        if status.state == "RUNNING":  # the task ended without it (stopped, or it lagged behind)
            await self.ml.StopTraining(pb.StopTrainingRequest(task_id=task_id))

    async def _relay(self, task_id: int, duty: TaskDuty) -> None:
        """Hand the worker's events to the chain, in order, until the worker ends.

        Reading and sending run apart: a worker commits outer steps faster than blocks come, so
        what arrives while one tx waits for its block goes on chain together in the next one.
        """
        request = pb.StreamTrainingEventsRequest(task_id=task_id, from_index=duty.relayed)
        arrived: asyncio.Queue[tuple[int, dict[str, Any]] | None] = asyncio.Queue()

        async def read() -> None:
            try:
                async for item in self.ml.StreamTrainingEvents(request):
                    arrived.put_nowait((item.index, json.loads(item.json)))
            except grpc.aio.AioRpcError as error:
                log.warning("%s: event stream of task %d broke: %s", self.ctx.name, task_id, error.details())
            finally:
                arrived.put_nowait(None)  # the worker ended (or the stream broke)

        reader = asyncio.create_task(read())
        try:
            while True:
                batch = [await arrived.get()]
                while not arrived.empty():
                    batch.append(arrived.get_nowait())
                events = [entry for entry in batch if entry is not None]
                if events:
                    await self._relay_events(task_id, duty, [event for _, event in events])
                    duty.relayed = events[-1][0] + 1
                if batch[-1] is None:
                    return
        finally:
            reader.cancel()

    async def _relay_events(self, task_id: int, duty: TaskDuty, events: list[dict[str, Any]]) -> None:
        me = self.ctx.address
        join = MsgJoinTrainingTask(creator=me, task_id=task_id)
        progress: list[Message] = []  # commits (and the latest due heartbeat) for one tx, in order
        for event in events:
            kind = event["event"]
            if kind == "started":
                await self._send_progress(task_id, progress, join)
                await send_tx(self.ctx.tx, [join], f"join training task {task_id}")
            elif kind == "commit":
                progress.append(MsgCommitTrainingStep(creator=me, commitment=StepCommitment(**event["commitment"])))
                if len(progress) >= RELAY_BATCH:
                    await self._send_progress(task_id, progress, join)
            elif kind == "heartbeat" and time.monotonic() - duty.last_beat >= HEARTBEAT_EVERY_S:
                duty.last_beat = time.monotonic()
                progress.append(MsgTrainingHeartbeat(creator=me, task_id=task_id, outer_step=event["outer_step"],
                                                     inner_step=event["inner_step"]))
            elif kind == "error":
                log.warning("%s: worker of task %d: %s", self.ctx.name, task_id, event["message"])
            elif kind in ("healed", "retry", "done"):
                log.info("%s: worker of task %d: %s", self.ctx.name, task_id, event)
        await self._send_progress(task_id, progress, join)

    async def _send_progress(self, task_id: int, messages: list[Message], join: Message) -> None:
        """Send `messages` in one tx (then empty the list); if the chain refuses it, find out why.

        Dropped meanwhile (silent too long): re-join first. Otherwise one message was refused (a
        commit the chain already has, after an api node restart): send them one by one, so the
        others still land.
        """
        if not messages:
            return
        batch, what = list(messages), f"{len(messages)} progress message(s) of task {task_id}"
        messages.clear()
        if await send_tx(self.ctx.tx, batch, what) is not TxOutcome.REFUSED:
            return
        worker = await self._worker_record(task_id)
        if worker is not None and worker["status"] == "DROPPED":
            await send_tx(self.ctx.tx, [join, *batch], f"re-join and {what}")
        elif len(batch) > 1:
            for message in batch:
                await send_tx(self.ctx.tx, [message], f"{type(message).__name__} of task {task_id}")

    async def _worker_record(self, task_id: int) -> dict[str, Any] | None:
        task = await self.ctx.chain.query("training_task", task_id=task_id)
        return next((w for w in task["workers"] if w["address"] == self.ctx.address), None)

    # -- the lighthouse (coordinator only) -----------------------------------------------------

    async def _start_lighthouse(self, task: dict[str, Any], duty: TaskDuty) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        log_path = self.folder / f"lighthouse-{task['id']}.log"
        try:
            duty.lighthouse, duty.lighthouse_url = await asyncio.to_thread(
                start_lighthouse, int(task["spec"]["min_workers"]), log_path
            )
        except (RuntimeError, OSError) as error:
            log.warning("%s: lighthouse of task %s: %s; trying again", self.ctx.name, task["id"], error)
            return
        log.info("%s: lighthouse of task %s at %s", self.ctx.name, task["id"], duty.lighthouse_url)

    @staticmethod
    def _stop_lighthouse(duty: TaskDuty) -> None:
        if duty.lighthouse is not None and duty.lighthouse.poll() is None:
            duty.lighthouse.terminate()
            try:
                duty.lighthouse.wait(timeout=5)
            except subprocess.TimeoutExpired:
                duty.lighthouse.kill()
                duty.lighthouse.wait()
        duty.lighthouse, duty.lighthouse_url = None, ""

    async def _peer_endpoint(self, address: str, task_id: int, name: str) -> str:
        """What another host's api node publishes for a task ("" when it has nothing yet)."""
        participant = await self.ctx.chain.query("participant", address=address)
        url = participant["url"].rstrip("/") + ENDPOINTS_PATH.format(task_id=task_id)
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as error:
            log.info("%s: %s did not answer (%s)", self.ctx.name, url, error)
            return ""
        return str(response.json().get(name, "")) if response.status_code == 200 else ""

    # -- validation ------------------------------------------------------------------------------

    async def _validate_all(self, task: dict[str, Any], duty: TaskDuty) -> None:
        task_id = int(task["id"])
        me = self.ctx.address
        duty.voted |= {v["worker"] for v in task["validations"] if v["validator"] == me}
        todo = [w for w in task["workers"] if w["address"] != me and w["address"] not in duty.voted
                and int(w["committed_steps"]) > 0 and w["status"] in UNDECIDED]
        if not todo:
            return
        everyone = (await self.ctx.chain.query("training_commitments", task_id=task_id))["commitments"]
        for worker in todo:  # one at a time: one re-execution on the ML node, txs in sequence order
            source = await self._peer_endpoint(worker["address"], task_id, "artifacts")
            request = pb.ValidateTrainingRequest(
                spec_json=json.dumps(task["spec"]),
                shard=int(worker["shard"]),
                num_shards=len(task["assignees"]),
                commitments_json=json.dumps([c for c in everyone if c["worker"] == worker["address"]]),
                all_commitments_json=json.dumps(everyone),
                challenge_seed=bytes.fromhex(task["challenge_seed"]),
                validator=me,
                worker=worker["address"],
                segments=VALIDATION_SEGMENTS,
                artifact_source=source,
            )
            verdict = await self.ml.ValidateTraining(request, timeout=VALIDATE_TIMEOUT_S)
            checks = json.loads(verdict.checks_json)
            vote = MsgSubmitTrainingValidation(
                creator=me, task_id=task_id, worker=worker["address"], passed=verdict.passed,
                checks=[SegmentCheck(**check) for check in checks] if isinstance(checks, list) else [],
            )
            outcome = await send_tx(self.ctx.tx, [vote], f"training validation of {worker['address']}")
            if outcome is not TxOutcome.UNKNOWN:  # refused (e.g. no weight) counts too: do not retry
                duty.voted.add(worker["address"])
            log.info("%s: task %d, worker %s: %s (%s)", self.ctx.name, task_id, worker["address"],
                     "passed" if verdict.passed else "FAILED", outcome.value)

