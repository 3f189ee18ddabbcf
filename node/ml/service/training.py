"""The ML node's training logic (node/proto/gonka/training.proto): it launches and stops DiLoCo
worker processes (one per task, under HOME/tasks/<id>/), serves their event logs and artifacts,
and validates other workers by re-execution. Blocking; MlNode calls it from worker threads and
keeps the service state (TRAIN) in step with it, training_servicer.py is its gRPC face.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from node.ml.service.errors import AlreadyRunning, InvalidArgument, NotFound
from node.ml.training.events import read_events
from node.ml.training.launch import launch_worker
from node.ml.training.snapshots import ArtifactMissing, ArtifactStore
from node.ml.training.spec import TrainSpec
from node.ml.training.validate import validate_worker
from node.ml.training.worker import WorkerConfig
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc


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
    def __init__(self, home: Path, adversary: str = "") -> None:
        self.home = home
        self.adversary = adversary  # the node's own mode (config [training]); a request may name one
        self.jobs: dict[int, TrainingJob] = {}

    def running(self) -> bool:
        """Whether any worker process is alive."""
        return any(job.process.poll() is None for job in self.jobs.values())

    def start(self, request: pb.StartTrainingRequest) -> pb.TrainingStatus:
        spec = _spec(request.spec_json)
        if not request.lighthouse_url.startswith("http://"):
            raise InvalidArgument("lighthouse_url must look like http://HOST:PORT", "lighthouse_url")
        if request.num_shards == 0 or request.shard >= request.num_shards:
            raise InvalidArgument(f"shard {request.shard} is not below num_shards {request.num_shards}", "shard")
        running = self.jobs.get(request.task_id)
        if running is not None and running.process.poll() is None:
            raise AlreadyRunning(f"a worker for task {request.task_id} already runs (pid {running.process.pid})",
                                 "task_id")
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
            adversary=request.adversary or self.adversary,
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
