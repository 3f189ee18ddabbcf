"""Inference records, the per-address work ledger and their indexes in app state.

Keys:
    inference/record/<id>                     Inference (ids are 88-char base64, so fixed length)
    inference/by_epoch/<u64 epoch>/<id>       b"" for each completed inference of that epoch
    inference/timeout/<u64 height>/<id>       b"" for each incomplete inference expiring at that height
    inference/owed/<address>                  WorkRecord: owed coins and request counters
    inference/epoch_requests/<u64 epoch>      u64 completed inferences in that epoch

Escrow and owed coins are held by the module account MODULE_ACCOUNT; its
balance always equals the escrow of incomplete inferences plus all owed coins.

Used by settlement (the epochs helper): take_work_coins, epoch_stats,
reset_epoch_stats; settlement pays the coins out of MODULE_ACCOUNT.
"""

from __future__ import annotations

from node.chain.app.encoding import decode_u64, encode_u64, load_proto, load_u64, store_proto
from node.chain.store.overlay import KVReader, Overlay
from node.core.keys import module_address
from node.proto.gonka.inference_pb2 import Inference, WorkRecord

MODULE_NAME = "inference"
MODULE_ACCOUNT = module_address(MODULE_NAME)

RECORD_PREFIX = b"inference/record/"
BY_EPOCH_PREFIX = b"inference/by_epoch/"
TIMEOUT_PREFIX = b"inference/timeout/"
WORK_PREFIX = b"inference/owed/"
EPOCH_REQUESTS_PREFIX = b"inference/epoch_requests/"


# -- inference records ---------------------------------------------------------


def get_inference(kv: KVReader, inference_id: str) -> Inference | None:
    return load_proto(kv, RECORD_PREFIX + inference_id.encode(), Inference)


def set_inference(kv: Overlay, inference: Inference) -> None:
    store_proto(kv, RECORD_PREFIX + inference.inference_id.encode(), inference)


def all_inference_ids(kv: KVReader) -> list[str]:
    return [key[len(RECORD_PREFIX) :].decode() for key, _ in kv.prefix_items(RECORD_PREFIX)]


def index_completed(kv: Overlay, inference: Inference) -> None:
    kv.set(BY_EPOCH_PREFIX + encode_u64(inference.epoch) + b"/" + inference.inference_id.encode(), b"")


def completed_ids(kv: KVReader, epoch: int) -> list[str]:
    prefix = BY_EPOCH_PREFIX + encode_u64(epoch) + b"/"
    return [key[len(prefix) :].decode() for key, _ in kv.prefix_items(prefix)]


# -- expiry index ----------------------------------------------------------------


def _timeout_key(height: int, inference_id: str) -> bytes:
    return TIMEOUT_PREFIX + encode_u64(height) + b"/" + inference_id.encode()


def add_timeout(kv: Overlay, inference: Inference) -> None:
    kv.set(_timeout_key(inference.expires_at_height, inference.inference_id), b"")


def remove_timeout(kv: Overlay, inference: Inference) -> None:
    kv.delete(_timeout_key(inference.expires_at_height, inference.inference_id))


def due_timeouts(kv: KVReader, before_height: int) -> list[str]:
    """Ids whose expiry height is below `before_height`, oldest first."""
    due = []
    for key, _ in kv.prefix_items(TIMEOUT_PREFIX):
        rest = key[len(TIMEOUT_PREFIX) :]
        if decode_u64(rest[:8]) >= before_height:
            break
        due.append(rest[9:].decode())
    return due


# -- work ledger -------------------------------------------------------------------


def get_work(kv: KVReader, address: str) -> WorkRecord:
    record = load_proto(kv, WORK_PREFIX + address.encode(), WorkRecord)
    return WorkRecord(address=address) if record is None else record


def set_work(kv: Overlay, record: WorkRecord) -> None:
    store_proto(kv, WORK_PREFIX + record.address.encode(), record)


def add_owed(kv: Overlay, address: str, amount: int) -> None:
    record = get_work(kv, address)
    record.owed += amount
    set_work(kv, record)


def take_owed(kv: Overlay, address: str, amount: int) -> int:
    """Remove up to `amount` from the owed balance (coins already paid out cannot be taken back)."""
    record = get_work(kv, address)
    taken = min(amount, record.owed)
    record.owed -= taken
    set_work(kv, record)
    return taken


def take_work_coins(kv: Overlay, address: str) -> int:
    """The coins owed to `address` for its work, zeroed: settlement pays them from MODULE_ACCOUNT."""
    record = get_work(kv, address)
    return take_owed(kv, address, record.owed)


def epoch_stats(kv: KVReader, address: str) -> tuple[int, int]:
    """(inference_count, missed_requests) as executor since the last reset_epoch_stats."""
    record = get_work(kv, address)
    return record.epoch_inference_count, record.epoch_missed_requests


def reset_epoch_stats(kv: Overlay, address: str) -> None:
    record = get_work(kv, address)
    record.epoch_inference_count = 0
    record.epoch_missed_requests = 0
    set_work(kv, record)


def count_completed(kv: Overlay, executor: str) -> None:
    record = get_work(kv, executor)
    record.inference_count += 1
    record.epoch_inference_count += 1
    set_work(kv, record)


def count_missed(kv: Overlay, executor: str) -> None:
    record = get_work(kv, executor)
    record.missed_requests += 1
    record.epoch_missed_requests += 1
    set_work(kv, record)


# -- traffic -------------------------------------------------------------------------


def epoch_requests(kv: KVReader, epoch: int) -> int:
    return load_u64(kv, EPOCH_REQUESTS_PREFIX + encode_u64(epoch))


def count_request(kv: Overlay, epoch: int) -> int:
    """Count one more completed inference in `epoch`; returns the new count."""
    count = epoch_requests(kv, epoch) + 1
    kv.set(EPOCH_REQUESTS_PREFIX + encode_u64(epoch), encode_u64(count))
    return count
