"""A training worker's event log, read from outside the way validators read it: the worker's
api node publishes its ML node's address for the task (`/v1/training/tasks/{id}/endpoints`,
"artifacts"), and that ML node streams the log over gRPC (Training.StreamTrainingEvents)."""

from __future__ import annotations

import json
from typing import Any

import grpc
import httpx

from node.chain.client import ChainClient, ChainError
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc

TIMEOUT_S = 30.0


def worker_events(client: ChainClient, worker: str, task_id: int) -> list[dict[str, Any]]:
    """The whole event log of `worker`'s run of the task (ChainError when it cannot be reached)."""
    participant = client.query("participant", address=worker)
    url = f"{participant['url'].rstrip('/')}/v1/training/tasks/{task_id}/endpoints"
    try:
        response = httpx.get(url, timeout=TIMEOUT_S)
        response.raise_for_status()
        ml_node = str(response.json()["artifacts"])
        with grpc.insecure_channel(ml_node) as channel:
            stream = pb_grpc.TrainingStub(channel).StreamTrainingEvents(
                pb.StreamTrainingEventsRequest(task_id=task_id), timeout=TIMEOUT_S)
            return [json.loads(item.json) for item in stream]
    except (httpx.HTTPError, KeyError, ValueError, grpc.RpcError) as error:
        raise ChainError(f"cannot read the event log of {worker} for task {task_id}: {error}") from None


def final_event(client: ChainClient, worker: str, task_id: int) -> dict[str, Any] | None:
    """The worker's last `done` event (held-out loss, final weights' hash), None if it never ended."""
    done = [event for event in worker_events(client, worker, task_id) if event["event"] == "done"]
    return done[-1] if done else None
