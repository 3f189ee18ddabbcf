"""The ML node's training service (node/proto/gonka/training.proto): it launches and stops
DiLoCo worker processes, serves their event logs and artifacts, and validates other workers.

`TrainingService` holds the logic (one worker process per task, under HOME/tasks/<id>/);
`TrainingServicer` is its gRPC face. Until the ML node wires it in, it also runs on its own:
`python -m node.ml.service.training --listen 127.0.0.1:0 --home DIR` prints
`training service HOST:PORT` once it serves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from node.ml.service.errors import InvalidArgument, NotFound, to_status
from node.ml.service.state import Conflict
from node.ml.training.events import read_events
from node.ml.training.launch import launch_worker
from node.ml.training.snapshots import ArtifactMissing, ArtifactStore
from node.ml.training.spec import TrainSpec
from node.ml.training.validate import validate_worker
from node.ml.training.worker import WorkerConfig
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc

CHUNK_BYTES = 1 << 20
EVENT_POLL_S = 0.2
READY_PREFIX = "training service "


@dataclass
class TrainingJob:
    task_id: int
    folder: Path
    process: subprocess.Popen[bytes]
    stopped: bool = False

    @property
    def events_path(self) -> Path:
        return self.folder / "events.jsonl"


def _spec(spec_json: str) -> TrainSpec:
    try:
        return TrainSpec.from_mapping(json.loads(spec_json))
    except (ValueError, TypeError) as error:
        raise InvalidArgument(f"bad spec_json: {error}", "spec_json") from None


def _status(job: TrainingJob | None, task_id: int) -> pb.TrainingStatus:
    if job is None:
        return pb.TrainingStatus(task_id=task_id, state="IDLE")
    events, _ = read_events(job.events_path)
    status = pb.TrainingStatus(task_id=task_id, pid=job.process.pid)
    for event in events:
        if event["event"] == "heartbeat":
            status.outer_step, status.inner_step = event["outer_step"], event["inner_step"]
        elif event["event"] == "commit":
            status.commits += 1
        elif event["event"] == "done":
            status.final_params_hash, status.eval_loss = event["final_params_hash"], event["eval_loss"]
        elif event["event"] == "error":
            status.error = event["message"]
    code = job.process.poll()
    if code is None:
        status.state = "RUNNING"
    elif job.stopped:
        status.state = "STOPPED"
    else:
        status.state = "DONE" if code == 0 and status.final_params_hash else "FAILED"
    return status


class TrainingService:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.jobs: dict[int, TrainingJob] = {}

    def start(self, request: pb.StartTrainingRequest) -> pb.TrainingStatus:
        spec = _spec(request.spec_json)
        if not request.lighthouse_url.startswith("http://"):
            raise InvalidArgument("lighthouse_url must look like http://HOST:PORT", "lighthouse_url")
        if request.num_shards == 0 or request.shard >= request.num_shards:
            raise InvalidArgument(f"shard {request.shard} is not below num_shards {request.num_shards}", "shard")
        running = self.jobs.get(request.task_id)
        if running is not None and running.process.poll() is None:
            raise Conflict(f"a worker for task {request.task_id} already runs (pid {running.process.pid})")
        folder = self.home / "tasks" / str(request.task_id)
        config = WorkerConfig(
            task_id=request.task_id,
            spec=spec.to_dict(),
            shard=request.shard,
            num_shards=request.num_shards,
            replica_id=request.replica_id or f"task{request.task_id}-shard{request.shard}",
            lighthouse_url=request.lighthouse_url,
            artifacts=str(folder / "artifacts"),
            events=str(folder / "events.jsonl"),
            adversary=request.adversary,
        )
        job = TrainingJob(request.task_id, folder, launch_worker(config, folder))
        self.jobs[request.task_id] = job
        return _status(job, request.task_id)

    def stop(self, task_id: int) -> pb.TrainingStatus:
        job = self.jobs.get(task_id)
        if job is None:
            raise NotFound(f"no worker for task {task_id}", "task_id")
        if job.process.poll() is None:
            job.stopped = True
            job.process.terminate()
            try:
                job.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                job.process.kill()
                job.process.wait()
        return _status(job, task_id)

    def status(self, task_id: int) -> pb.TrainingStatus:
        return _status(self.jobs.get(task_id), task_id)

    def events(self, task_id: int, offset: int) -> tuple[list[dict[str, Any]], int, bool]:
        """(new events, next offset, whether the worker has ended)."""
        job = self.jobs.get(task_id)
        if job is None:
            raise NotFound(f"no worker for task {task_id}", "task_id")
        ended = job.process.poll() is not None  # read after the check, so the last lines are in
        events, offset = read_events(job.events_path, offset)
        return events, offset, ended

    def artifact(self, artifact_hash: str) -> bytes:
        for folder in (self.home / "tasks").glob("*/artifacts"):
            store = ArtifactStore(folder)
            if store.path(artifact_hash).exists():
                return store.read_bytes(artifact_hash)
        raise NotFound(f"no artifact {artifact_hash}", "hash")

    def validate(self, request: pb.ValidateTrainingRequest, fetch: Callable[[str], bytes]) -> pb.TrainingVerdict:
        spec = _spec(request.spec_json)
        try:
            commitments = json.loads(request.commitments_json)
            everyone = json.loads(request.all_commitments_json or "[]")
        except json.JSONDecodeError as error:
            raise InvalidArgument(f"commitments must be JSON: {error}", "commitments_json") from None
        if not commitments:
            raise InvalidArgument("the worker has no commitments to validate", "commitments_json")
        store = ArtifactStore(self.home / "fetched", fetch)
        try:
            passed, checks = validate_worker(
                spec, request.shard, request.num_shards, commitments, store, request.challenge_seed,
                request.validator, request.worker, request.segments or 2, everyone,
            )
        except ArtifactMissing as error:
            # Committed artifacts the worker cannot produce count against it.
            return pb.TrainingVerdict(passed=False, checks_json=json.dumps({"error": str(error)}))
        return pb.TrainingVerdict(passed=passed, checks_json=json.dumps([check.to_chain() for check in checks]))

    def close(self) -> None:
        for task_id in list(self.jobs):
            self.stop(task_id)


def fetch_from(address: str) -> Callable[[str], bytes]:
    """A fetcher for ArtifactStore that asks another ML node's FetchArtifact."""

    def fetch(artifact_hash: str) -> bytes:
        if not address:
            raise ArtifactMissing(f"artifact {artifact_hash} is not here and no artifact_source was given")
        with grpc.insecure_channel(address) as channel:
            stub = pb_grpc.TrainingStub(channel)
            try:
                return b"".join(chunk.data for chunk in stub.FetchArtifact(pb.FetchArtifactRequest(hash=artifact_hash)))
            except grpc.RpcError as error:
                raise ArtifactMissing(f"artifact {artifact_hash} from {address}: {error.details()}") from None

    return fetch


class TrainingServicer(pb_grpc.TrainingServicer):
    def __init__(self, service: TrainingService) -> None:
        self.service = service

    async def _run(self, context: grpc.aio.ServicerContext, call: Callable[[], Any]) -> Any:
        try:
            return await asyncio.to_thread(call)
        except Exception as error:
            code, details = to_status(error)
            await context.abort(code, details)

    async def StartTraining(self, request: pb.StartTrainingRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._run(context, lambda: self.service.start(request))

    async def StopTraining(self, request: pb.StopTrainingRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._run(context, lambda: self.service.stop(request.task_id))

    async def GetTrainingStatus(self, request: pb.TrainingStatusRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._run(context, lambda: self.service.status(request.task_id))

    async def StreamTrainingEvents(
        self, request: pb.StreamTrainingEventsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.TrainingEvent]:
        offset, index, ended = 0, 0, False
        while not ended:
            events, offset, ended = await self._run(context, lambda: self.service.events(request.task_id, offset))
            for event in events:
                if index >= request.from_index:
                    yield pb.TrainingEvent(index=index, json=json.dumps(event))
                index += 1
            if not ended:
                await asyncio.sleep(EVENT_POLL_S)

    async def FetchArtifact(
        self, request: pb.FetchArtifactRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ArtifactChunk]:
        data = await self._run(context, lambda: self.service.artifact(request.hash))
        for start in range(0, len(data), CHUNK_BYTES):
            yield pb.ArtifactChunk(data=data[start : start + CHUNK_BYTES])

    async def ValidateTraining(self, request: pb.ValidateTrainingRequest, context: grpc.aio.ServicerContext) -> Any:
        fetch = fetch_from(request.artifact_source)
        return await self._run(context, lambda: self.service.validate(request, fetch))


async def _serve(listen: str, home: Path) -> None:
    service = TrainingService(home)
    server = grpc.aio.server()
    pb_grpc.add_TrainingServicer_to_server(TrainingServicer(service), server)
    port = server.add_insecure_port(listen)
    await server.start()
    print(f"{READY_PREFIX}{listen.rsplit(':', 1)[0]}:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await server.stop(grace=1.0)
    await asyncio.to_thread(service.close)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the ML node's training service alone.")
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.listen, args.home))


if __name__ == "__main__":
    main()
