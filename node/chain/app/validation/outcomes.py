"""What a validation verdict or a closed vote does to an inference and its executor (reference §5).

- pass:        VALIDATED; actual cost re-split among executor and validators; consecutive failures reset.
- invalidate:  INVALIDATED; every share clawed back and refunded to the requester; failures counted.
- revalidate:  VALIDATED; consecutive failures reset.
After each, the executor's status is recomputed; on becoming INVALID it is
punished once (penalties.punish_invalid) and its consensus-power change is
queued for this block's result. INVALID is final here: there is no path back.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.context import BlockContext
from node.chain.app.inference.accounting import claw_back, share_with_validator
from node.chain.app.inference.state import get_work, set_inference
from node.chain.app.penalties import punish_invalid
from node.chain.app.validation.state import get_executor, queue_validator_updates, set_executor, set_vote
from node.chain.app.validation.status import calculate_status
from node.chain.store.overlay import Overlay
from node.proto.gonka.inference_pb2 import Inference, InferenceStatus
from node.proto.gonka.validation_pb2 import ExecutorStatus, Vote


def _judge_executor(ctx: BlockContext, kv: Overlay, address: str, valid: bool | None) -> list[Event]:
    """Count the verdict (None: no verdict) and recompute the status."""
    record = get_executor(kv, address)
    if valid is True:
        record.validated_inferences += 1
        record.consecutive_invalid_inferences = 0
    elif valid is False:
        record.invalidated_inferences += 1
        record.consecutive_invalid_inferences += 1
    previous = record.status
    events: list[Event] = []
    if previous != ExecutorStatus.INVALID:
        status, reason = calculate_status(record, get_work(kv, address).inference_count, ctx.params.validation)
        record.status = status
        if status != previous:
            events.append(
                Event.of(
                    "executor_status_changed",
                    address=address,
                    status=ExecutorStatus.Name(status),
                    previous=ExecutorStatus.Name(previous),
                    reason=reason,
                    height=ctx.height,
                )
            )
        if status == ExecutorStatus.INVALID:
            punish_events, updates = punish_invalid(ctx, kv, address, reason)
            events += punish_events
            queue_validator_updates(kv, updates)
    set_executor(kv, record)
    return events


def _status_event(ctx: BlockContext, kind: str, inference: Inference, **extra: object) -> Event:
    return Event.of(
        kind,
        inference_id=inference.inference_id,
        executor=inference.executed_by,
        status=InferenceStatus.Name(inference.status),
        **extra,
        height=ctx.height,
    )


def apply_pass(ctx: BlockContext, kv: Overlay, inference: Inference, validator: str) -> list[Event]:
    share_with_validator(kv, inference, validator)
    first = inference.status != InferenceStatus.VALIDATED
    inference.status = InferenceStatus.VALIDATED
    set_inference(kv, inference)
    events = [_status_event(ctx, "inference_validated", inference, validator=validator)]
    # Counted once per inference: a second passing validator adds no evidence about the executor.
    return events + _judge_executor(ctx, kv, inference.executed_by, True if first else None)


def apply_invalidate(ctx: BlockContext, kv: Overlay, inference: Inference) -> list[Event]:
    events, refund = claw_back(kv, inference)
    inference.status = InferenceStatus.INVALIDATED
    set_inference(kv, inference)
    events.append(_status_event(ctx, "inference_invalidated", inference, refund=refund))
    return events + _judge_executor(ctx, kv, inference.executed_by, False)


def apply_revalidate(ctx: BlockContext, kv: Overlay, inference: Inference, outcome: str) -> list[Event]:
    """`outcome` "revalidated" counts as a pass; "no_majority" (deadline) only ends the vote."""
    inference.status = InferenceStatus.VALIDATED
    set_inference(kv, inference)
    events = [_status_event(ctx, "inference_revalidated", inference, outcome=outcome)]
    return events + _judge_executor(ctx, kv, inference.executed_by, True if outcome == "revalidated" else None)


def settle_vote(ctx: BlockContext, kv: Overlay, vote: Vote, inference: Inference, deadline: bool) -> list[Event]:
    """Close the vote if a side has more than half of the group's total weight, or at its deadline.

    At the deadline without such a majority the outcome is "no_majority": not
    invalidated (as the reference's rejected x/group proposal), so VALIDATED,
    but not counted as a pass for the executor.
    """
    if 2 * vote.invalidate_power > vote.total_power:
        vote.outcome = "invalidated"
    elif 2 * vote.revalidate_power > vote.total_power:
        vote.outcome = "revalidated"
    elif deadline:
        vote.outcome = "no_majority"
    set_vote(kv, vote)
    if not vote.outcome:
        return []
    closed = Event.of(
        "invalidation_vote_closed", inference_id=vote.inference_id, outcome=vote.outcome, height=ctx.height
    )
    if vote.outcome == "invalidated":
        return [closed, *apply_invalidate(ctx, kv, inference)]
    return [closed, *apply_revalidate(ctx, kv, inference, vote.outcome)]
