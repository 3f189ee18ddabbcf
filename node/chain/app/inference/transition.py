"""MsgStartInference (sent by the TA) and MsgFinishInference (sent by the executor).

Reference protocol.md §4. Either may come first. The first one verifies its
signatures, locks the model's per-token price, takes the escrow from the
requester into the module account and sets the expiry height. The second one
must agree with the first on requester, TA, executor, model, timestamp and
prompt. When both are in, the executor is owed min(actual cost, escrow), the
rest is refunded, and `inference_finished` carries what validators need.

Escrow = (max_tokens + prompt tokens) * price. A Finish that comes first
has no max_tokens, so it escrows the default max tokens plus its prompt
tokens (the reference's DefaultMaxTokens rule).

Departure: the reference also accepts TA/executor signatures from authz
grantees (warm ML-operational keys); this chain has no authz yet, so they
must be the account keys.
"""

from __future__ import annotations

from collections.abc import Callable

from node.chain.app.abci import Event
from node.chain.app.bank.state import get_account
from node.chain.app.bank.transition import check_address
from node.chain.app.context import BlockContext
from node.chain.app.epochs import group
from node.chain.app.inference.accounting import lock_escrow, pay_executor
from node.chain.app.inference.pricing import current_price, record_usage
from node.chain.app.inference.state import (
    add_timeout,
    count_completed,
    count_request,
    epoch_requests,
    get_inference,
    index_completed,
    remove_timeout,
    set_inference,
)
from node.chain.app.models.state import get_model
from node.chain.app.router import Route
from node.chain.store.overlay import Overlay
from node.core.errors import TxCode, TxError
from node.core.inference_signing import decode_signature, developer_bytes, transfer_bytes, verify
from node.proto.gonka.inference_pb2 import Inference, InferenceStatus, MsgFinishInference, MsgStartInference

MAX_MODEL_CHARS = 128
MAX_HASH_CHARS = 128
MAX_TOKENS = 1 << 32  # bounds escrow arithmetic; far above any context window


# -- stateless checks -------------------------------------------------------------


def _check_signature_format(field: str, value: str) -> None:
    if decode_signature(value) is None:
        raise TxError(TxCode.INVALID_REQUEST, f"{field} must be a canonical base64 64-byte signature")


def _check_common(model: str, original_prompt: str, request_timestamp: int, token_counts: dict[str, int]) -> None:
    if not 0 < len(model) <= MAX_MODEL_CHARS or "\x00" in model:
        raise TxError(TxCode.INVALID_REQUEST, f"model must be 1 to {MAX_MODEL_CHARS} characters without NUL")
    if not original_prompt:
        raise TxError(TxCode.INVALID_REQUEST, "original_prompt (the signed request body) is empty")
    if request_timestamp < 0:
        raise TxError(TxCode.INVALID_REQUEST, "request_timestamp must not be negative")
    for field, count in token_counts.items():
        if count > MAX_TOKENS:
            raise TxError(TxCode.INVALID_REQUEST, f"{field} is above {MAX_TOKENS}")


def _check_hash(field: str, value: str) -> None:
    if len(value) > MAX_HASH_CHARS:
        raise TxError(TxCode.INVALID_REQUEST, f"{field} is over {MAX_HASH_CHARS} characters")


def validate_start(msg: MsgStartInference) -> None:
    for field in ("creator", "requested_by", "assigned_to"):
        check_address(field, getattr(msg, field))
    _check_signature_format("inference_id", msg.inference_id)
    _check_signature_format("transfer_signature", msg.transfer_signature)
    _check_hash("prompt_hash", msg.prompt_hash)
    _check_common(
        msg.model,
        msg.original_prompt,
        msg.request_timestamp,
        {"max_tokens": msg.max_tokens, "prompt_token_count": msg.prompt_token_count},
    )


def validate_finish(msg: MsgFinishInference) -> None:
    for field in ("creator", "executed_by", "transferred_by", "requested_by"):
        check_address(field, getattr(msg, field))
    if msg.executed_by != msg.creator:
        raise TxError(TxCode.UNAUTHORIZED, f"executed_by is {msg.executed_by}, but creator is {msg.creator}")
    for field in ("inference_id", "transfer_signature", "executor_signature"):
        _check_signature_format(field, getattr(msg, field))
    _check_hash("response_hash", msg.response_hash)
    _check_common(
        msg.model,
        msg.original_prompt,
        msg.request_timestamp,
        {"prompt_token_count": msg.prompt_token_count, "completion_token_count": msg.completion_token_count},
    )


# -- signatures and consistency -------------------------------------------------------


def _verify(kv: Overlay, role: str, address: str, data: bytes, signature: str) -> None:
    account = get_account(kv, address)
    if account is None or not account.public_key:
        raise TxError(TxCode.UNKNOWN_ADDRESS, f"{role} {address} has no public key on chain")
    if not verify(account.public_key, data, signature):
        raise TxError(TxCode.UNAUTHORIZED, f"{role} signature does not verify for {address}")


def _check_not_recorded(inference: Inference | None, message: str, already: Callable[[Inference], bool]) -> None:
    if inference is None:
        return
    if inference.status == InferenceStatus.EXPIRED:
        expired = inference.expires_at_height
        raise TxError(TxCode.INVALID_REQUEST, f"inference {inference.inference_id} expired at height {expired}")
    if already(inference):
        raise TxError(TxCode.CONFLICT, f"duplicate {message}: inference {inference.inference_id} already has one")


def _check_same(inference: Inference, **fields: object) -> None:
    for name, value in fields.items():
        if getattr(inference, name) != value:
            raise TxError(TxCode.INVALID_REQUEST, f"{name} differs from the one already recorded for this inference")


# -- lifecycle ----------------------------------------------------------------------------


def _open(ctx: BlockContext, kv: Overlay, inference: Inference, escrow_tokens: int) -> list[Event]:
    """First of Start/Finish: lock the price, set the expiry and take the escrow."""
    if get_model(kv, inference.model) is None:
        raise TxError(TxCode.INVALID_REQUEST, f"model {inference.model!r} is not in the model registry")
    epoch = group.current_epoch_index(kv)
    inference.per_token_price = current_price(kv, ctx.params.pricing, inference.model, epoch)
    inference.escrow = escrow_tokens * inference.per_token_price
    inference.first_seen_height = ctx.height
    inference.expires_at_height = ctx.height + ctx.params.inference.expiration_blocks
    add_timeout(kv, inference)
    return lock_escrow(kv, inference)


def _complete(ctx: BlockContext, kv: Overlay, inference: Inference) -> list[Event]:
    """Both Start and Finish are in: pay, refund, count, and fix the validation details."""
    remove_timeout(kv, inference)
    events, refund = pay_executor(kv, inference)
    executor = inference.executed_by
    count_completed(kv, executor)
    epoch = group.current_epoch_index(kv)
    requests = count_request(kv, epoch)
    inference.epoch = epoch
    inference.traffic_basis = max(requests, epoch_requests(kv, epoch - 1) if epoch else 0)
    inference.executor_power = group.member_weight(kv, epoch, executor)
    inference.executor_reputation = group.reputation(kv, executor)
    inference.total_power = group.total_weight(kv, epoch)
    inference.completed_height = ctx.height
    inference.status = InferenceStatus.FINISHED
    index_completed(kv, inference)
    record_usage(kv, inference.model, ctx.height, inference.prompt_token_count + inference.completion_token_count)
    events.append(
        Event.of(
            "inference_finished",
            inference_id=inference.inference_id,
            executor=executor,
            requested_by=inference.requested_by,
            transferred_by=inference.transferred_by,
            model=inference.model,
            epoch=epoch,
            traffic_basis=inference.traffic_basis,
            executor_power=inference.executor_power,
            executor_reputation=inference.executor_reputation,
            total_power=inference.total_power,
            prompt_token_count=inference.prompt_token_count,
            completion_token_count=inference.completion_token_count,
            per_token_price=inference.per_token_price,
            actual_cost=inference.actual_cost,
            refund=refund,
            height=ctx.height,
        )
    )
    return events


def execute_start(ctx: BlockContext, kv: Overlay, msg: MsgStartInference) -> list[Event]:
    inference = get_inference(kv, msg.inference_id)
    _check_not_recorded(inference, "Start", lambda record: record.start_processed)
    prompt, stamp = msg.original_prompt, msg.request_timestamp
    _verify(kv, "developer", msg.requested_by, developer_bytes(prompt, stamp, msg.creator), msg.inference_id)
    _verify(kv, "TA", msg.creator, transfer_bytes(prompt, stamp, msg.creator, msg.assigned_to), msg.transfer_signature)
    max_tokens = msg.max_tokens or ctx.params.inference.default_max_tokens
    events: list[Event] = []
    if inference is None:
        inference = Inference(
            inference_id=msg.inference_id,
            status=InferenceStatus.STARTED,
            model=msg.model,
            requested_by=msg.requested_by,
            transferred_by=msg.creator,
            executed_by=msg.assigned_to,
            request_timestamp=stamp,
            original_prompt=prompt,
            transfer_signature=msg.transfer_signature,
        )
        events += _open(ctx, kv, inference, max_tokens + msg.prompt_token_count)
    else:
        _check_same(
            inference,
            requested_by=msg.requested_by,
            transferred_by=msg.creator,
            executed_by=msg.assigned_to,
            model=msg.model,
            request_timestamp=stamp,
            original_prompt=prompt,
        )
    inference.start_processed = True
    inference.prompt_hash = msg.prompt_hash
    inference.prompt_payload = msg.prompt_payload
    inference.node_version = msg.node_version
    inference.max_tokens = max_tokens
    inference.start_prompt_token_count = msg.prompt_token_count
    events.append(
        Event.of(
            "inference_started",
            inference_id=inference.inference_id,
            requested_by=inference.requested_by,
            transferred_by=inference.transferred_by,
            executor=inference.executed_by,
            model=inference.model,
            per_token_price=inference.per_token_price,
            escrow=inference.escrow,
            expires_at_height=inference.expires_at_height,
        )
    )
    if inference.finish_processed:
        events += _complete(ctx, kv, inference)
    set_inference(kv, inference)
    return events


def execute_finish(ctx: BlockContext, kv: Overlay, msg: MsgFinishInference) -> list[Event]:
    inference = get_inference(kv, msg.inference_id)
    _check_not_recorded(inference, "Finish", lambda record: record.finish_processed)
    if inference is not None and inference.executed_by != msg.creator:
        assigned = inference.executed_by
        raise TxError(TxCode.UNAUTHORIZED, f"inference {msg.inference_id} is assigned to {assigned}, not {msg.creator}")
    prompt, stamp = msg.original_prompt, msg.request_timestamp
    signed = transfer_bytes(prompt, stamp, msg.transferred_by, msg.creator)
    _verify(kv, "developer", msg.requested_by, developer_bytes(prompt, stamp, msg.transferred_by), msg.inference_id)
    _verify(kv, "TA", msg.transferred_by, signed, msg.transfer_signature)
    _verify(kv, "executor", msg.creator, signed, msg.executor_signature)
    events: list[Event] = []
    if inference is None:
        inference = Inference(
            inference_id=msg.inference_id,
            status=InferenceStatus.FINISHED,
            model=msg.model,
            requested_by=msg.requested_by,
            transferred_by=msg.transferred_by,
            executed_by=msg.creator,
            request_timestamp=stamp,
            original_prompt=prompt,
            transfer_signature=msg.transfer_signature,
        )
        events += _open(ctx, kv, inference, ctx.params.inference.default_max_tokens + msg.prompt_token_count)
    else:
        _check_same(
            inference,
            requested_by=msg.requested_by,
            transferred_by=msg.transferred_by,
            model=msg.model,
            request_timestamp=stamp,
            original_prompt=prompt,
        )
    inference.finish_processed = True
    inference.response_hash = msg.response_hash
    inference.response_payload = msg.response_payload
    inference.prompt_token_count = msg.prompt_token_count
    inference.completion_token_count = msg.completion_token_count
    inference.executor_signature = msg.executor_signature
    if inference.start_processed:
        events += _complete(ctx, kv, inference)
    set_inference(kv, inference)
    return events


ROUTES = (
    Route(MsgStartInference, "inference", "creator", validate_start, execute_start),
    Route(MsgFinishInference, "inference", "creator", validate_finish, execute_finish),
)
