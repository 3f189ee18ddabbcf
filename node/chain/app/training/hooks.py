"""Begin-block: drop silent workers, end training when they were the last to finish, cancel
tasks that never started, and close validation periods at their deadline."""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.context import BlockContext
from node.chain.app.training import lifecycle
from node.chain.app.training.state import get_task, live_task_ids, set_task, set_worker, workers
from node.chain.store.overlay import Overlay
from node.proto.gonka.training_tasks_pb2 import TaskStatus, TrainingTask, WorkerStatus


def _drop_silent(ctx: BlockContext, kv: Overlay, task: TrainingTask) -> list[Event]:
    events: list[Event] = []
    timeout = ctx.params.training.heartbeat_timeout_blocks
    for worker in workers(kv, task.id):
        if worker.status == WorkerStatus.ACTIVE and worker.last_seen_height + timeout < ctx.height:
            worker.status = WorkerStatus.DROPPED
            set_worker(kv, worker)
            events.append(
                Event.of(
                    "training_worker_dropped",
                    task_id=task.id,
                    worker=worker.address,
                    last_seen_height=worker.last_seen_height,
                )
            )
    return events


def begin_block(ctx: BlockContext, kv: Overlay) -> list[Event]:
    events: list[Event] = []
    for task_id in live_task_ids(kv):
        task = get_task(kv, task_id)
        assert task is not None, "the live index names stored tasks only"
        # Tasks are written back only when something changed (close() writes its own).
        if task.status == TaskStatus.OPEN:
            if ctx.height > task.created_height + ctx.params.training.open_timeout_blocks:
                task.end_reason = "not enough workers joined in time"
                events += lifecycle.close(ctx, kv, task, TaskStatus.CANCELLED)
        elif task.status == TaskStatus.TRAINING:
            dropped = _drop_silent(ctx, kv, task)
            if dropped:
                events += dropped + lifecycle.maybe_end_training(ctx, kv, task)
                set_task(kv, task, live=task.status in (TaskStatus.TRAINING, TaskStatus.VALIDATING))
        else:
            events += lifecycle.maybe_settle(ctx, kv, task)
    return events
