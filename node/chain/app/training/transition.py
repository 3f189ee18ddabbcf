"""Training task messages: create, join, heartbeat, commit a step, validate, stop.

A developer creates a task with a spec and a budget, which moves into escrow. The chain draws
up to max_workers hosts from the effective epoch group in proportion to weight (assign.py);
only they may join. Workers report progress with heartbeats and commit every outer step
(start weights, segment snapshots, pseudo-gradient, losses); hosts other than the worker
re-execute random segments and vote. What happens next is in lifecycle.py.
"""

from __future__ import annotations

import re

from node.chain.app.abci import Event
from node.chain.app.bank.state import transfer
from node.chain.app.bank.transition import check_address
from node.chain.app.context import BlockContext
from node.chain.app.epochs.group import current_epoch_index, members
from node.chain.app.router import Route
from node.chain.app.training import lifecycle
from node.chain.app.training.assign import draw_weighted, task_seed
from node.chain.app.training.catalog import TRAINING_DATASETS, TRAINING_MODELS
from node.chain.app.training.state import (
    ESCROW_ACCOUNT,
    commitments,
    get_commitment,
    get_task,
    get_vote,
    get_worker,
    next_task_id,
    set_commitment,
    set_task,
    set_vote,
    set_worker,
)
from node.chain.store.overlay import Overlay
from node.core.errors import TxCode, TxError
from node.proto.gonka.training_tasks_pb2 import (
    MsgCommitTrainingStep,
    MsgCreateTrainingTask,
    MsgJoinTrainingTask,
    MsgStopTrainingTask,
    MsgSubmitTrainingValidation,
    MsgTrainingHeartbeat,
    TaskSpec,
    TaskStatus,
    TrainingTask,
    TrainingValidation,
    WorkerRecord,
    WorkerStatus,
)

MAX_BATCH_SIZE = 1024
MAX_SEQ_LEN = 4096
MAX_CHECKS = 64
HASH_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")


def _invalid(message: str) -> TxError:
    return TxError(TxCode.INVALID_REQUEST, message)


# -- stateless checks ----------------------------------------------------------------


def validate_spec(spec: TaskSpec) -> None:
    if spec.model not in TRAINING_MODELS:
        raise _invalid(f"unknown model {spec.model!r}; known models: {', '.join(sorted(TRAINING_MODELS))}")
    if spec.dataset not in TRAINING_DATASETS:
        raise _invalid(f"unknown dataset {spec.dataset!r}; known datasets: {', '.join(sorted(TRAINING_DATASETS))}")
    if spec.outer_steps == 0:
        raise _invalid("outer_steps must be at least 1")
    if not 1 <= spec.min_workers <= spec.max_workers:
        got = f"{spec.min_workers}..{spec.max_workers}"
        raise _invalid(f"workers must satisfy 1 <= min_workers <= max_workers, got {got}")
    if not 1 <= spec.batch_size <= MAX_BATCH_SIZE or not 2 <= spec.seq_len <= MAX_SEQ_LEN:
        raise _invalid(f"batch_size must be 1..{MAX_BATCH_SIZE} and seq_len 2..{MAX_SEQ_LEN}")
    if spec.inner_lr_micro == 0:
        raise _invalid("inner_lr_micro must be positive")
    if spec.segment_steps == 0 or spec.inner_steps % spec.segment_steps:
        raise _invalid(
            f"segment_steps ({spec.segment_steps}) must be positive and divide inner_steps ({spec.inner_steps})"
        )


def validate_create(msg: MsgCreateTrainingTask) -> None:
    check_address("creator", msg.creator)
    validate_spec(msg.spec)
    if msg.budget == 0:
        raise TxError(TxCode.INVALID_COINS, "budget must be positive")


def validate_creator(msg: MsgJoinTrainingTask | MsgTrainingHeartbeat | MsgStopTrainingTask) -> None:
    check_address("creator", msg.creator)


def _check_hash(field: str, value: str) -> None:
    if not HASH_PATTERN.fullmatch(value):
        raise _invalid(f"{field} must look like sha256:<64 lowercase hex>, got {value[:80]!r}")


def validate_commit(msg: MsgCommitTrainingStep) -> None:
    check_address("creator", msg.creator)
    commitment = msg.commitment
    _check_hash("start_params_hash", commitment.start_params_hash)
    _check_hash("pseudo_gradient_hash", commitment.pseudo_gradient_hash)
    for value in commitment.snapshot_hashes:
        _check_hash("snapshot_hashes", value)
    if commitment.worker or commitment.height:
        raise _invalid("worker and height are set by the chain; leave them empty")


def validate_validation(msg: MsgSubmitTrainingValidation) -> None:
    check_address("creator", msg.creator)
    check_address("worker", msg.worker)
    if msg.creator == msg.worker:
        raise TxError(TxCode.UNAUTHORIZED, "a worker cannot validate itself")
    if not 1 <= len(msg.checks) <= MAX_CHECKS:
        raise _invalid(f"a validation must report 1 to {MAX_CHECKS} segment checks")


# -- helpers --------------------------------------------------------------------------


def _task(kv: Overlay, task_id: int) -> TrainingTask:
    task = get_task(kv, task_id)
    if task is None:
        raise TxError(TxCode.NOT_FOUND, f"no training task {task_id}")
    return task


def _require_status(task: TrainingTask, *allowed: TaskStatus) -> None:
    if task.status not in allowed:
        names = " or ".join(TaskStatus.Name(status) for status in allowed)
        raise _invalid(f"training task {task.id} is {TaskStatus.Name(task.status)}, not {names}")


def _active_worker(kv: Overlay, task: TrainingTask, address: str) -> WorkerRecord:
    worker = get_worker(kv, task.id, address)
    if worker is None:
        raise TxError(TxCode.UNAUTHORIZED, f"{address} has not joined training task {task.id}")
    if worker.status != WorkerStatus.ACTIVE:
        status = WorkerStatus.Name(worker.status)
        raise _invalid(f"{address} is {status} in task {task.id}; send MsgJoinTrainingTask to rejoin")
    return worker


# -- handlers ------------------------------------------------------------------------


def execute_create(ctx: BlockContext, kv: Overlay, msg: MsgCreateTrainingTask) -> list[Event]:
    params, spec = ctx.params.training, msg.spec
    if not params.min_inner_steps <= spec.inner_steps <= params.max_inner_steps:
        raise _invalid(
            f"inner_steps (H) must be in [{params.min_inner_steps}, {params.max_inner_steps}], got {spec.inner_steps}"
        )
    if spec.outer_steps > params.max_outer_steps:
        raise _invalid(f"outer_steps must be at most {params.max_outer_steps}, got {spec.outer_steps}")
    if spec.max_workers > params.max_workers:
        raise _invalid(f"max_workers must be at most {params.max_workers}, got {spec.max_workers}")
    needed = spec.max_workers * spec.outer_steps * params.min_payment_per_step
    if msg.budget < needed:
        raise TxError(
            TxCode.INSUFFICIENT_FUNDS,
            f"budget too small: {msg.budget} ngonka < max_workers {spec.max_workers} x outer_steps "
            f"{spec.outer_steps} x {params.min_payment_per_step} ngonka per worker-step = {needed}",
        )
    task_id = next_task_id(kv)
    hosts = members(kv, current_epoch_index(kv))
    assignees = draw_weighted(hosts, spec.max_workers, task_seed(task_id, msg.creator, ctx.height))
    if len(assignees) < spec.min_workers:
        raise _invalid(f"min_workers is {spec.min_workers}, but only {len(assignees)} hosts have weight")
    events = transfer(kv, msg.creator, ESCROW_ACCOUNT, msg.budget)
    task = TrainingTask(
        id=task_id,
        creator=msg.creator,
        spec=spec,
        budget=msg.budget,
        escrow=msg.budget,
        status=TaskStatus.OPEN,
        assignees=assignees,
        payment_per_step=msg.budget // (spec.max_workers * spec.outer_steps),
        created_height=ctx.height,
    )
    set_task(kv, task, live=True)
    events.append(
        Event.of(
            "training_task_created",
            task_id=task_id,
            creator=msg.creator,
            model=spec.model,
            dataset=spec.dataset,
            inner_steps=spec.inner_steps,
            outer_steps=spec.outer_steps,
            budget=msg.budget,
            payment_per_step=task.payment_per_step,
            assignees=",".join(assignees),
        )
    )
    return events


def execute_join(ctx: BlockContext, kv: Overlay, msg: MsgJoinTrainingTask) -> list[Event]:
    task = _task(kv, msg.task_id)
    _require_status(task, TaskStatus.OPEN, TaskStatus.TRAINING)
    if msg.creator not in task.assignees:
        raise TxError(TxCode.UNAUTHORIZED, f"{msg.creator} is not assigned to training task {task.id}")
    worker = get_worker(kv, task.id, msg.creator)
    rejoin = worker is not None
    if worker is None:
        shard = list(task.assignees).index(msg.creator)
        worker = WorkerRecord(task_id=task.id, address=msg.creator, shard=shard, joined_height=ctx.height)
    worker.status = WorkerStatus.ACTIVE
    worker.joins += 1
    worker.last_seen_height = ctx.height
    set_worker(kv, worker)
    events = [
        Event.of("training_worker_joined", task_id=task.id, worker=msg.creator, shard=worker.shard, rejoin=rejoin)
    ]
    events += lifecycle.maybe_start(ctx, kv, task)
    set_task(kv, task, live=True)
    return events


def execute_heartbeat(ctx: BlockContext, kv: Overlay, msg: MsgTrainingHeartbeat) -> list[Event]:
    task = _task(kv, msg.task_id)
    _require_status(task, TaskStatus.OPEN, TaskStatus.TRAINING)
    worker = _active_worker(kv, task, msg.creator)
    if msg.outer_step >= task.spec.outer_steps or msg.inner_step > task.spec.inner_steps:
        raise _invalid(f"step ({msg.outer_step}, {msg.inner_step}) is outside the task's schedule")
    worker.outer_step, worker.inner_step, worker.last_seen_height = msg.outer_step, msg.inner_step, ctx.height
    set_worker(kv, worker)
    return [
        Event.of(
            "training_heartbeat",
            task_id=task.id,
            worker=msg.creator,
            outer_step=msg.outer_step,
            inner_step=msg.inner_step,
        )
    ]


def execute_commit(ctx: BlockContext, kv: Overlay, msg: MsgCommitTrainingStep) -> list[Event]:
    commitment = msg.commitment
    task = _task(kv, commitment.task_id)
    _require_status(task, TaskStatus.TRAINING)
    worker = _active_worker(kv, task, msg.creator)
    spec = task.spec
    if commitment.outer_step >= spec.outer_steps:
        raise _invalid(f"outer_step must be below {spec.outer_steps}, got {commitment.outer_step}")
    if len(commitment.losses_micro) != spec.inner_steps:
        raise _invalid(f"losses_micro must hold {spec.inner_steps} losses, got {len(commitment.losses_micro)}")
    segments = spec.inner_steps // spec.segment_steps
    if len(commitment.snapshot_hashes) != segments + 1:
        raise _invalid(f"snapshot_hashes must hold {segments + 1} hashes, got {len(commitment.snapshot_hashes)}")
    if get_commitment(kv, task.id, msg.creator, commitment.outer_step) is not None:
        raise TxError(TxCode.CONFLICT, f"{msg.creator} already committed outer step {commitment.outer_step}")
    commitment.worker, commitment.height = msg.creator, ctx.height
    set_commitment(kv, commitment)
    worker.committed_steps += 1
    worker.outer_step, worker.inner_step, worker.last_seen_height = commitment.outer_step, spec.inner_steps, ctx.height
    set_worker(kv, worker)
    events = [
        Event.of(
            "training_step_committed",
            task_id=task.id,
            worker=msg.creator,
            outer_step=commitment.outer_step,
            start_params_hash=commitment.start_params_hash,
            last_loss_micro=commitment.losses_micro[-1],
        )
    ]
    events += lifecycle.maybe_end_training(ctx, kv, task)
    set_task(kv, task, live=task.status not in (TaskStatus.SETTLED, TaskStatus.CANCELLED))
    return events


def execute_validation(ctx: BlockContext, kv: Overlay, msg: MsgSubmitTrainingValidation) -> list[Event]:
    task = _task(kv, msg.task_id)
    _require_status(task, TaskStatus.VALIDATING)
    worker = get_worker(kv, task.id, msg.worker)
    if worker is None or not worker.committed_steps:
        raise TxError(TxCode.NOT_FOUND, f"{msg.worker} committed nothing in training task {task.id}")
    weight = lifecycle.validator_weight(kv, msg.creator)
    if weight == 0:
        raise TxError(TxCode.UNAUTHORIZED, f"{msg.creator} has no weight in the effective epoch group")
    if get_vote(kv, task.id, msg.worker, msg.creator) is not None:
        raise TxError(TxCode.CONFLICT, f"{msg.creator} already voted on {msg.worker} in task {task.id}")
    committed = {c.outer_step for c in commitments(kv, task.id, msg.worker)}
    segments = task.spec.inner_steps // task.spec.segment_steps
    for check in msg.checks:
        if check.outer_step not in committed or check.segment >= segments:
            raise _invalid(f"check ({check.outer_step}, {check.segment}) names no committed segment")
    set_vote(
        kv,
        TrainingValidation(
            task_id=task.id,
            worker=msg.worker,
            validator=msg.creator,
            passed=msg.passed,
            checks=msg.checks,
            weight=weight,
            height=ctx.height,
        ),
    )
    if msg.passed:
        worker.pass_weight += weight
    else:
        worker.fail_weight += weight
    set_worker(kv, worker)
    events = [
        Event.of(
            "training_validation",
            task_id=task.id,
            worker=msg.worker,
            validator=msg.creator,
            passed=msg.passed,
            weight=weight,
            pass_weight=worker.pass_weight,
            fail_weight=worker.fail_weight,
        )
    ]
    events += lifecycle.apply_tally(ctx, kv, task, worker)
    events += lifecycle.maybe_settle(ctx, kv, task)
    set_task(kv, task, live=task.status == TaskStatus.VALIDATING)
    return events


def execute_stop(ctx: BlockContext, kv: Overlay, msg: MsgStopTrainingTask) -> list[Event]:
    task = _task(kv, msg.task_id)
    if msg.creator != task.creator:
        raise TxError(TxCode.UNAUTHORIZED, f"only the creator {task.creator} may stop training task {task.id}")
    _require_status(task, TaskStatus.OPEN, TaskStatus.TRAINING)
    if task.status == TaskStatus.OPEN:
        task.end_reason = "stopped before training"
        return lifecycle.close(ctx, kv, task, TaskStatus.CANCELLED)
    events = lifecycle.end_training(ctx, kv, task, "stopped by creator")
    set_task(kv, task, live=task.status == TaskStatus.VALIDATING)
    return events


ROUTES = (
    Route(MsgCreateTrainingTask, "training", "creator", validate_create, execute_create),
    Route(MsgJoinTrainingTask, "training", "creator", validate_creator, execute_join),
    Route(MsgTrainingHeartbeat, "training", "creator", validate_creator, execute_heartbeat),
    Route(MsgCommitTrainingStep, "training", "creator", validate_commit, execute_commit),
    Route(MsgSubmitTrainingValidation, "training", "creator", validate_validation, execute_validation),
    Route(MsgStopTrainingTask, "training", "creator", validate_creator, execute_stop),
)
