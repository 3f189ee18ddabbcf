"""Queries `training_task` {task_id}, `training_tasks` {} and `training_commitments` {task_id, worker?}."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, check_params, int_param, string_param
from node.chain.app.training.state import all_tasks, commitments, get_task, votes, workers
from node.proto.gonka.training_tasks_pb2 import TaskStatus


def _task_id(params: dict[str, Any], allowed: set[str]) -> int:
    return int_param(check_params(params, allowed | {"task_id"}), "task_id")


def query_task(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    """The task with its workers and validation votes."""
    task_id = _task_id(params, set())
    task = get_task(ctx.kv, task_id)
    if task is None:
        raise QueryError("not_found", f"no training task {task_id}")
    return {
        **to_jsonable(task),
        "workers": [to_jsonable(worker) for worker in workers(ctx.kv, task_id)],
        "validations": [to_jsonable(vote) for vote in votes(ctx.kv, task_id)],
    }


def query_tasks(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, set())
    return {
        "tasks": [
            {"id": t.id, "creator": t.creator, "status": TaskStatus.Name(t.status), "model": t.spec.model}
            for t in all_tasks(ctx.kv)
        ]
    }


def query_commitments(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    task_id = _task_id(params, {"worker"})
    worker = string_param(params, "worker") if "worker" in params else None
    return {"commitments": [to_jsonable(c) for c in commitments(ctx.kv, task_id, worker)]}


QUERIES: dict[str, QueryHandler] = {
    "training_task": query_task,
    "training_tasks": query_tasks,
    "training_commitments": query_commitments,
}
