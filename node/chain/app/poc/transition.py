"""MsgSubmitSeed, MsgSubmitPocBatch and MsgSubmitPocValidation.

Windows (epochs/clock.py; P = the upcoming epoch's PoC start, E = its end of
PoC validation): batches only in the batch window and only for the upcoming
epoch's P; validations only in the validation window, from members of the
current group (anyone when there is no electorate, poc/verdicts.py); seed
commits for the upcoming epoch from P to E (the group forms at E's end).
Departure: epoch 0 has no PoC start to commit at, so seeds for epoch 0 are
accepted any time during epoch 0 (a host committing late could pick a seed
after seeing inferences; the devnet accepts that for its first epoch).
All three come only from registered hosts, once per key.
"""

from __future__ import annotations

import math

from node.chain.app.abci import Event
from node.chain.app.bank.transition import check_address
from node.chain.app.context import BlockContext
from node.chain.app.epochs.clock import EpochStages, stages
from node.chain.app.epochs.group import seed_signature, set_seed_signature
from node.chain.app.epochs.state import latest_epoch
from node.chain.app.participants.rules import MAX_NAME_CHARS
from node.chain.app.participants.state import require_host
from node.chain.app.poc.state import add_batch, add_validation, batches, has_batch, has_validation
from node.chain.app.poc.verdicts import electorate
from node.chain.app.router import Route
from node.chain.store.overlay import KVReader, Overlay
from node.core.errors import TxCode, TxError
from node.core.keys import SIGNATURE_BYTES
from node.proto.gonka.poc_pb2 import (
    MsgSubmitPocBatch,
    MsgSubmitPocValidation,
    MsgSubmitSeed,
    PocBatch,
    PocValidation,
)

PPB = 1_000_000_000


def _invalid(message: str) -> TxError:
    return TxError(TxCode.INVALID_REQUEST, message)


def decode_seed_signature(signature: str) -> bytes:
    """The 64 bytes of a hex seed signature; TxError if malformed."""
    try:
        raw = bytes.fromhex(signature)
    except ValueError:
        raise _invalid("signature must be hex") from None
    if len(raw) != SIGNATURE_BYTES:
        raise _invalid(f"signature must be {SIGNATURE_BYTES} bytes ({2 * SIGNATURE_BYTES} hex characters)")
    return raw


def _upcoming_stages(ctx: BlockContext, kv: KVReader, poc_start: int) -> tuple[int, EpochStages]:
    """The upcoming epoch's index and stages, if `poc_start` is its P."""
    epoch = latest_epoch(kv)
    if epoch.index == 0 or poc_start != epoch.poc_start_block_height:
        raise _invalid(f"poc_stage_start_block_height {poc_start} is not the upcoming epoch's PoC start")
    return epoch.index, stages(ctx.params.epoch, epoch.poc_start_block_height)


def validate_submit_seed(msg: MsgSubmitSeed) -> None:
    check_address("creator", msg.creator)
    decode_seed_signature(msg.signature)


def execute_submit_seed(ctx: BlockContext, kv: Overlay, msg: MsgSubmitSeed) -> list[Event]:
    require_host(kv, msg.creator)
    epoch = latest_epoch(kv)
    if msg.epoch_index != epoch.index:
        raise _invalid(f"seeds are accepted for epoch {epoch.index} now, not {msg.epoch_index}")
    if epoch.index > 0:
        epoch_stages = stages(ctx.params.epoch, epoch.poc_start_block_height)
        if ctx.height > epoch_stages.poc_validation_end:
            raise _invalid(f"seed commits for epoch {epoch.index} closed at height {epoch_stages.poc_validation_end}")
    if seed_signature(kv, msg.epoch_index, msg.creator) is not None:
        raise TxError(TxCode.CONFLICT, f"{msg.creator} already committed a seed for epoch {msg.epoch_index}")
    set_seed_signature(kv, msg.epoch_index, msg.creator, decode_seed_signature(msg.signature))
    return [Event.of("seed_submitted", address=msg.creator, epoch_index=msg.epoch_index)]


def validate_submit_batch(msg: MsgSubmitPocBatch) -> None:
    check_address("creator", msg.creator)
    if not 0 < len(msg.batch_id) <= MAX_NAME_CHARS or len(msg.node_id) > MAX_NAME_CHARS:
        raise _invalid(f"batch_id must be 1 to {MAX_NAME_CHARS} characters, node_id at most {MAX_NAME_CHARS}")
    if not msg.nonces:
        raise _invalid("a batch needs at least one nonce")
    if len(msg.dist) != len(msg.nonces):
        raise _invalid("dist must have one distance per nonce")
    if not all(math.isfinite(d) for d in msg.dist):
        raise _invalid("distances must be finite numbers")


def execute_submit_batch(ctx: BlockContext, kv: Overlay, msg: MsgSubmitPocBatch) -> list[Event]:
    require_host(kv, msg.creator)
    _, epoch_stages = _upcoming_stages(ctx, kv, msg.poc_stage_start_block_height)
    window = epoch_stages.batch_window
    if not window.contains(ctx.height):
        raise _invalid(f"PoC batches are accepted at heights {window.start}..{window.end}, not {ctx.height}")
    limit = ctx.params.poc.max_nonces_per_batch
    if len(msg.nonces) > limit:
        raise _invalid(f"a batch may carry at most {limit} nonces, got {len(msg.nonces)}")
    if has_batch(kv, msg.poc_stage_start_block_height, msg.creator, msg.batch_id):
        raise TxError(TxCode.CONFLICT, f"batch {msg.batch_id!r} was already submitted")
    add_batch(
        kv,
        PocBatch(
            participant=msg.creator,
            poc_stage_start_block_height=msg.poc_stage_start_block_height,
            batch_id=msg.batch_id,
            nonces=msg.nonces,
            dist=msg.dist,
            node_id=msg.node_id,
            height=ctx.height,
        ),
    )
    return [
        Event.of(
            "poc_batch",
            address=msg.creator,
            poc_start_height=msg.poc_stage_start_block_height,
            batch_id=msg.batch_id,
            node_id=msg.node_id,
            nonce_count=len(msg.nonces),
        )
    ]


def validate_submit_validation(msg: MsgSubmitPocValidation) -> None:
    check_address("creator", msg.creator)
    check_address("participant_address", msg.participant_address)
    if msg.probability_honest_ppb > PPB:
        raise _invalid(f"probability_honest_ppb must be at most {PPB}")


def execute_submit_validation(ctx: BlockContext, kv: Overlay, msg: MsgSubmitPocValidation) -> list[Event]:
    require_host(kv, msg.creator)
    poc_start = msg.poc_stage_start_block_height
    upcoming, epoch_stages = _upcoming_stages(ctx, kv, poc_start)
    window = epoch_stages.validation_window
    if not window.contains(ctx.height):
        raise _invalid(f"PoC validations are accepted at heights {window.start}..{window.end}, not {ctx.height}")
    voters = electorate(kv, upcoming)
    if voters is not None and msg.creator not in voters:
        raise TxError(TxCode.UNAUTHORIZED, f"{msg.creator} is not a member of the current epoch group")
    if not batches(kv, poc_start, msg.participant_address):
        raise TxError(TxCode.NOT_FOUND, f"{msg.participant_address} has no PoC batches for P={poc_start}")
    if has_validation(kv, poc_start, msg.participant_address, msg.creator):
        raise TxError(TxCode.CONFLICT, f"{msg.creator} already validated {msg.participant_address} for P={poc_start}")
    add_validation(
        kv,
        PocValidation(
            validator=msg.creator,
            participant=msg.participant_address,
            poc_stage_start_block_height=poc_start,
            n_invalid=msg.n_invalid,
            probability_honest_ppb=msg.probability_honest_ppb,
            fraud_detected=msg.fraud_detected,
            height=ctx.height,
        ),
    )
    return [
        Event.of(
            "poc_validation",
            validator=msg.creator,
            participant=msg.participant_address,
            poc_start_height=poc_start,
            n_invalid=msg.n_invalid,
            fraud_detected=msg.fraud_detected,
        )
    ]


ROUTES = (
    Route(MsgSubmitSeed, "poc", "creator", validate_submit_seed, execute_submit_seed),
    Route(MsgSubmitPocBatch, "poc", "creator", validate_submit_batch, execute_submit_batch),
    Route(MsgSubmitPocValidation, "poc", "creator", validate_submit_validation, execute_submit_validation),
)
