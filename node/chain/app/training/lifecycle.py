"""A task's state changes after creation: start, end of training, verdicts, payouts, closing.

    OPEN --min_workers joined--> TRAINING --all active workers committed the last step,
    or the creator stopped it--> VALIDATING --every worker judged, or the deadline-->
    SETTLED.  OPEN --stopped, or open_timeout_blocks passed--> CANCELLED.

Verdicts are power-weighted: a worker is VERIFIED (and paid payment_per_step for each step
it committed) once validators holding more than verdict_threshold of the eligible weight (the
effective group minus the worker) voted pass, and CAUGHT once as much voted fail. A caught
worker forfeits its pay (refunded at closing) and is marked a cheater in the effective epoch,
which zeroes its reputation and forfeits that epoch's settlement (reputation/state.py).
Closing refunds whatever is left to the creator, so every task ends with escrow zero.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.state import transfer
from node.chain.app.context import BlockContext
from node.chain.app.epochs.group import current_epoch_index, get_member, member_weight, members, set_member
from node.chain.app.reputation.state import mark_cheater
from node.chain.app.training.state import ESCROW_ACCOUNT, commitments, set_task, set_worker, workers
from node.chain.store.overlay import Overlay
from node.core.hashing import sha256
from node.proto.gonka.training_tasks_pb2 import TaskStatus, TrainingTask, WorkerRecord, WorkerStatus

PPM = 1_000_000
JUDGED = (WorkerStatus.VERIFIED, WorkerStatus.CAUGHT)


def _pay(kv: Overlay, task: TrainingTask, recipient: str, amount: int) -> list[Event]:
    task.escrow -= amount
    return transfer(kv, ESCROW_ACCOUNT, recipient, amount) if amount else []


def maybe_start(ctx: BlockContext, kv: Overlay, task: TrainingTask) -> list[Event]:
    joined = len(workers(kv, task.id))
    if task.status != TaskStatus.OPEN or joined < task.spec.min_workers:
        return []
    task.status = TaskStatus.TRAINING
    task.started_height = ctx.height
    return [Event.of("training_started", task_id=task.id, workers=joined, height=ctx.height)]


def end_training(ctx: BlockContext, kv: Overlay, task: TrainingTask, reason: str) -> list[Event]:
    """Training is over: fix the challenge seed and open the validation period."""
    task.status = TaskStatus.VALIDATING
    task.finished_height = ctx.height
    task.validation_deadline = ctx.height + ctx.params.training.validation_period_blocks
    task.end_reason = reason
    # Every commitment is in by now, so no worker could have chosen its work knowing the seed.
    digest = b"".join(c.SerializeToString(deterministic=True) for c in commitments(kv, task.id))
    task.challenge_seed = sha256(b"gonka/training/challenge/%d/%d/" % (task.id, ctx.height) + sha256(digest))
    events = [
        Event.of(
            "training_finished",
            task_id=task.id,
            reason=reason,
            challenge_seed=task.challenge_seed.hex(),
            validation_deadline=task.validation_deadline,
        )
    ]
    return events + maybe_settle(ctx, kv, task)


def maybe_end_training(ctx: BlockContext, kv: Overlay, task: TrainingTask) -> list[Event]:
    """End once the last step is committed by someone and by every still-active worker."""
    if task.status != TaskStatus.TRAINING:
        return []
    last = task.spec.outer_steps - 1
    finished = {c.worker for c in commitments(kv, task.id) if c.outer_step == last}
    active = {w.address for w in workers(kv, task.id) if w.status == WorkerStatus.ACTIVE}
    if not active:
        return end_training(ctx, kv, task, "every worker dropped")
    if not finished or not active <= finished:
        return []
    return end_training(ctx, kv, task, "completed")


def eligible_weight(kv: Overlay, worker: str) -> int:
    """The effective group's weight that may judge `worker` (everyone but itself)."""
    return sum(weight for address, weight in members(kv, current_epoch_index(kv)) if address != worker)


def validator_weight(kv: Overlay, validator: str) -> int:
    return member_weight(kv, current_epoch_index(kv), validator)


def apply_tally(ctx: BlockContext, kv: Overlay, task: TrainingTask, worker: WorkerRecord) -> list[Event]:
    """Judge `worker` if one side's weight crossed the threshold; pay or punish at once."""
    if worker.status in JUDGED:
        return []
    total = eligible_weight(kv, worker.address)
    threshold = ctx.params.training.verdict_threshold_ppm
    if total and worker.pass_weight * PPM > threshold * total:
        worker.status = WorkerStatus.VERIFIED
        amount = task.payment_per_step * worker.committed_steps
        worker.paid = amount
        task.paid += amount
        events = _pay(kv, task, worker.address, amount)
        events.append(Event.of("training_worker_verified", task_id=task.id, worker=worker.address, paid=amount))
    elif total and worker.fail_weight * PPM > threshold * total:
        worker.status = WorkerStatus.CAUGHT
        task.forfeited += task.payment_per_step * worker.committed_steps
        events = [Event.of("training_worker_caught", task_id=task.id, worker=worker.address, forfeited=task.forfeited)]
        events += _lose_reputation(kv, worker.address, task.id)
    else:
        return []
    set_worker(kv, worker)
    return events


def _lose_reputation(kv: Overlay, address: str, task_id: int) -> list[Event]:
    epoch = current_epoch_index(kv)
    reason = f"training: caught cheating in task {task_id}"
    member = get_member(kv, epoch, address)
    if member is not None and member.reputation:
        member.reputation = 0
        set_member(kv, epoch, member)
    if not mark_cheater(kv, epoch, address, reason):
        return []
    return [Event.of("cheater_marked", address=address, epoch_index=epoch, reason=reason)]


def maybe_settle(ctx: BlockContext, kv: Overlay, task: TrainingTask) -> list[Event]:
    """Close once every worker with commitments is judged, or at the deadline."""
    if task.status != TaskStatus.VALIDATING:
        return []
    pending = [w for w in workers(kv, task.id) if w.status not in JUDGED and w.committed_steps]
    if pending and ctx.height <= task.validation_deadline:
        return []
    events: list[Event] = []
    for worker in workers(kv, task.id):
        if worker.status not in JUDGED:
            worker.status = WorkerStatus.UNVERIFIED
            set_worker(kv, worker)
            if worker.committed_steps:
                events.append(Event.of("training_worker_unverified", task_id=task.id, worker=worker.address))
    return events + close(ctx, kv, task, TaskStatus.SETTLED)


def close(ctx: BlockContext, kv: Overlay, task: TrainingTask, status: TaskStatus) -> list[Event]:
    """Refund what is left to the creator; the escrow ends at zero."""
    refund = task.escrow
    task.refunded += refund
    events = _pay(kv, task, task.creator, refund)
    task.status = status
    events.append(
        Event.of(
            "training_task_closed",
            task_id=task.id,
            status=TaskStatus.Name(status),
            paid=task.paid,
            refunded=task.refunded,
            forfeited=task.forfeited,
            escrow=task.escrow,
        )
    )
    set_task(kv, task, live=False)
    return events
