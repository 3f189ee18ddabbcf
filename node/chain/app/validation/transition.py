"""MsgValidation: a validator's verdict on a completed inference, or its vote in an invalidation vote.

Reference protocol.md §5. Pass iff value > the model's validation threshold (model registry).

- revalidation=false, from a member of the inference's epoch group other than
  the executor, once per validator: recorded (this is the duty checked at
  claim time). On a FINISHED or VALIDATED inference a pass re-splits the cost
  and validates; a fail opens an invalidation vote (VOTING) in which this
  verdict is the first invalidate vote (one vote per inference: after a vote
  closed, a fail is only recorded). On VOTING or INVALIDATED it is only recorded.
- revalidation=true, only while a vote is open, once per member (the executor
  may vote too, as its api node does in the reference): a pass adds the
  voter's weight to revalidate, a fail to invalidate. More than half of the
  voting group's total weight decides at once; otherwise the vote closes at its
  deadline (validation/hooks.py).

Departure: the reference runs the vote as two x/group proposals with a
4-minute voting period; here the tally lives in the inference's Vote record
and the period is ValidationParams.voting_period_blocks.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.transition import check_address
from node.chain.app.context import BlockContext
from node.chain.app.epochs import group
from node.chain.app.inference.state import get_inference, set_inference
from node.chain.app.models.state import get_model
from node.chain.app.router import Route
from node.chain.app.validation.outcomes import apply_pass, settle_vote
from node.chain.app.validation.state import get_record, get_vote, set_record
from node.chain.store.overlay import Overlay
from node.core.errors import TxCode, TxError
from node.core.inference_signing import decode_signature
from node.core.validation_policy import PPM
from node.proto.gonka.inference_pb2 import Inference, InferenceStatus
from node.proto.gonka.validation_pb2 import MsgValidation, ValidationRecord, Vote

MAX_HASH_CHARS = 128


def validate_validation(msg: MsgValidation) -> None:
    check_address("creator", msg.creator)
    if decode_signature(msg.inference_id) is None:
        raise TxError(TxCode.INVALID_REQUEST, "inference_id must be a canonical base64 64-byte signature")
    if msg.value_ppm > PPM:
        raise TxError(TxCode.INVALID_REQUEST, f"value_ppm must be at most {PPM}")
    if len(msg.response_hash) > MAX_HASH_CHARS:
        raise TxError(TxCode.INVALID_REQUEST, f"response_hash is over {MAX_HASH_CHARS} characters")


def _member_power(kv: Overlay, epoch: int, address: str) -> int:
    power = group.member_weight(kv, epoch, address)
    if power == 0:
        raise TxError(TxCode.UNAUTHORIZED, f"{address} has no weight in epoch {epoch}'s group")
    return power


def _open_vote(ctx: BlockContext, kv: Overlay, inference: Inference, record: ValidationRecord) -> list[Event]:
    epoch = group.current_epoch_index(kv)
    record.power = group.member_weight(kv, epoch, record.validator)
    vote = Vote(
        inference_id=inference.inference_id,
        epoch=epoch,
        total_power=group.total_weight(kv, epoch),
        invalidate_power=record.power,
        opened_height=ctx.height,
        deadline_height=ctx.height + ctx.params.validation.voting_period_blocks,
    )
    inference.status = InferenceStatus.VOTING
    set_inference(kv, inference)
    # The failing validator's verdict is also its invalidate vote.
    ballot = ValidationRecord()
    ballot.CopyFrom(record)
    ballot.revalidation = True
    set_record(kv, ballot)
    return settle_vote(ctx, kv, vote, inference, deadline=False)


def _validate(ctx: BlockContext, kv: Overlay, inference: Inference, record: ValidationRecord) -> list[Event]:
    if record.validator == inference.executed_by:
        raise TxError(TxCode.UNAUTHORIZED, "an executor cannot validate its own inference")
    if get_record(kv, inference.inference_id, False, record.validator) is not None:
        raise TxError(TxCode.CONFLICT, f"duplicate: {record.validator} already validated {inference.inference_id}")
    _member_power(kv, inference.epoch, record.validator)
    set_record(kv, record)
    if inference.status not in (InferenceStatus.FINISHED, InferenceStatus.VALIDATED):
        return []
    if record.passed:
        return apply_pass(ctx, kv, inference, record.validator)
    if get_vote(kv, inference.inference_id) is not None:  # one vote per inference; it was held
        return []
    return _open_vote(ctx, kv, inference, record)


def _revalidate(ctx: BlockContext, kv: Overlay, inference: Inference, record: ValidationRecord) -> list[Event]:
    vote = get_vote(kv, inference.inference_id)
    if vote is None or vote.outcome:
        raise TxError(TxCode.INVALID_REQUEST, f"no open invalidation vote on inference {inference.inference_id}")
    if get_record(kv, inference.inference_id, True, record.validator) is not None:
        raise TxError(TxCode.CONFLICT, f"duplicate: {record.validator} already voted on {inference.inference_id}")
    record.power = _member_power(kv, vote.epoch, record.validator)
    set_record(kv, record)
    if record.passed:
        vote.revalidate_power += record.power
    else:
        vote.invalidate_power += record.power
    return settle_vote(ctx, kv, vote, inference, deadline=False)


def execute_validation(ctx: BlockContext, kv: Overlay, msg: MsgValidation) -> list[Event]:
    inference = get_inference(kv, msg.inference_id)
    if inference is None:
        raise TxError(TxCode.NOT_FOUND, f"unknown inference {msg.inference_id}")
    if not inference.completed_height or inference.status == InferenceStatus.EXPIRED:
        raise TxError(
            TxCode.INVALID_REQUEST,
            f"inference {msg.inference_id} is not finished (status {InferenceStatus.Name(inference.status)})",
        )
    model = get_model(kv, inference.model)
    if model is None:  # Start/Finish admit registry models only, and the registry is fixed at genesis
        raise TxError(TxCode.INTERNAL, f"model {inference.model!r} of inference {msg.inference_id} is not registered")
    threshold = model.validation_threshold_ppm
    record = ValidationRecord(
        inference_id=msg.inference_id,
        validator=msg.creator,
        epoch=inference.epoch,
        value_ppm=msg.value_ppm,
        passed=msg.value_ppm > threshold,
        revalidation=msg.revalidation,
        height=ctx.height,
        response_hash=msg.response_hash,
    )
    was_voting = inference.status == InferenceStatus.VOTING
    handle = _revalidate if msg.revalidation else _validate
    events = handle(ctx, kv, inference, record)
    # Tells every api node to re-run the inference and vote (reference: inference_validation event).
    needs_revalidation = not was_voting and inference.status == InferenceStatus.VOTING
    summary = Event.of(
        "inference_validation",
        inference_id=msg.inference_id,
        validator=msg.creator,
        executor=inference.executed_by,
        model=inference.model,
        value_ppm=msg.value_ppm,
        threshold_ppm=threshold,
        passed=record.passed,
        revalidation=msg.revalidation,
        needs_revalidation=needs_revalidation,
        status=InferenceStatus.Name(inference.status),
        height=ctx.height,
    )
    return [summary, *events]


ROUTES = (Route(MsgValidation, "validation", "creator", validate_validation, execute_validation),)
