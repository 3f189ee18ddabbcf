"""PoC batches and validations in app state, keyed by the PoC start height P.

Keys:
    poc/batch/<u64 P>/<address>/<batch id>            PocBatch
    poc/validation/<u64 P>/<participant>/<validator>  PocValidation

Addresses are fixed-length bech32 strings, so an address prefix never
matches another address.
"""

from __future__ import annotations

from node.chain.app.encoding import encode_u64, load_all, store_proto
from node.chain.store.overlay import KVReader, Overlay
from node.proto.gonka.poc_pb2 import PocBatch, PocValidation

BATCH_PREFIX = b"poc/batch/"
VALIDATION_PREFIX = b"poc/validation/"


def _batch_key(poc_start: int, address: str, batch_id: str) -> bytes:
    return BATCH_PREFIX + encode_u64(poc_start) + b"/" + address.encode() + b"/" + batch_id.encode()


def _validation_key(poc_start: int, participant: str, validator: str) -> bytes:
    return VALIDATION_PREFIX + encode_u64(poc_start) + b"/" + participant.encode() + b"/" + validator.encode()


def has_batch(kv: KVReader, poc_start: int, address: str, batch_id: str) -> bool:
    return kv.get(_batch_key(poc_start, address, batch_id)) is not None


def add_batch(kv: Overlay, batch: PocBatch) -> None:
    store_proto(kv, _batch_key(batch.poc_stage_start_block_height, batch.participant, batch.batch_id), batch)


def batches(kv: KVReader, poc_start: int, address: str = "") -> list[PocBatch]:
    """All batches for P (or one participant's), ordered by participant and batch id."""
    prefix = BATCH_PREFIX + encode_u64(poc_start) + b"/" + (address.encode() + b"/" if address else b"")
    return load_all(kv, prefix, PocBatch)


def nonce_counts(kv: KVReader, poc_start: int) -> dict[str, int]:
    """Claimed weight per participant: its total nonce count over all batches (no dedup, as the reference)."""
    counts: dict[str, int] = {}
    for batch in batches(kv, poc_start):
        counts[batch.participant] = counts.get(batch.participant, 0) + len(batch.nonces)
    return counts


def has_validation(kv: KVReader, poc_start: int, participant: str, validator: str) -> bool:
    return kv.get(_validation_key(poc_start, participant, validator)) is not None


def add_validation(kv: Overlay, validation: PocValidation) -> None:
    key = _validation_key(validation.poc_stage_start_block_height, validation.participant, validation.validator)
    store_proto(kv, key, validation)


def validations(kv: KVReader, poc_start: int, participant: str = "") -> list[PocValidation]:
    """All validations for P (or of one participant), ordered by participant and validator."""
    prefix = VALIDATION_PREFIX + encode_u64(poc_start) + b"/" + (participant.encode() + b"/" if participant else b"")
    return load_all(kv, prefix, PocValidation)
