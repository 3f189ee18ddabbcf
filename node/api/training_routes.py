"""What this api node publishes about the training tasks it works on, for the other hosts' api
nodes: `GET /v1/training/tasks/{task_id}/endpoints` -> {"lighthouse", "artifacts"}.

`lighthouse` is the run's torchft lighthouse (non-empty on the task's coordinator while it
trains), `artifacts` this host's training ML node, which serves its workers' snapshots and
pseudo-gradients to validators (FetchArtifact). Both are addresses other ML nodes dial directly,
so on a multi-machine network they must be reachable from the other hosts.
"""

from __future__ import annotations

from fastapi import APIRouter

from node.api.training import ENDPOINTS_PATH, TrainingDriver


def training_router(driver: TrainingDriver) -> APIRouter:
    router = APIRouter()

    @router.get(ENDPOINTS_PATH)
    async def endpoints(task_id: int) -> dict[str, str]:
        return driver.endpoints(task_id)

    return router
