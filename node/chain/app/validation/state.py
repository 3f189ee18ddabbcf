"""Validation records, executor records, invalidation votes and queued consensus-power changes.

Keys:
    validation/record/<inference id>/<v|r>/<validator>    ValidationRecord (v: validation, r: revalidation vote)
    validation/executor/<address>                         ExecutorRecord
    validation/vote/<inference id>                        Vote
    validation/vote_deadline/<u64 height>/<inference id>  b"" while the vote is open
    validation/validator_updates/<consensus key>          u64 power, queued for this block's result

Used at claim time (the epochs helper): is_invalid, required_validations_missing.
"""

from __future__ import annotations

from collections.abc import Sequence

from node.chain.app.abci import ValidatorUpdate
from node.chain.app.encoding import decode_u64, encode_u64, load_proto, store_proto
from node.chain.app.epochs import group
from node.chain.app.epochs.clock import next_poc_start
from node.chain.app.epochs.state import get_epoch
from node.chain.app.inference.state import completed_ids, get_inference
from node.chain.app.params.state import load_params
from node.chain.store.overlay import KVReader, Overlay
from node.core.validation_policy import FinishedInference, should_validate
from node.proto.gonka.inference_pb2 import Inference
from node.proto.gonka.validation_pb2 import ExecutorRecord, ExecutorStatus, ValidationRecord, Vote

RECORD_PREFIX = b"validation/record/"
EXECUTOR_PREFIX = b"validation/executor/"
VOTE_PREFIX = b"validation/vote/"
DEADLINE_PREFIX = b"validation/vote_deadline/"
UPDATES_PREFIX = b"validation/validator_updates/"


# -- validation records ---------------------------------------------------------------


def _record_key(inference_id: str, revalidation: bool, validator: str) -> bytes:
    kind = b"r/" if revalidation else b"v/"
    return RECORD_PREFIX + inference_id.encode() + b"/" + kind + validator.encode()


def get_record(kv: KVReader, inference_id: str, revalidation: bool, validator: str) -> ValidationRecord | None:
    return load_proto(kv, _record_key(inference_id, revalidation, validator), ValidationRecord)


def set_record(kv: Overlay, record: ValidationRecord) -> None:
    store_proto(kv, _record_key(record.inference_id, record.revalidation, record.validator), record)


def records_for(kv: KVReader, inference_id: str) -> list[ValidationRecord]:
    """Validations first, then revalidation votes, each by validator address."""
    records = []
    for _, raw in kv.prefix_items(RECORD_PREFIX + inference_id.encode() + b"/"):
        record = ValidationRecord()
        record.ParseFromString(raw)
        records.append(record)
    return records


def has_validated(kv: KVReader, inference_id: str, validator: str) -> bool:
    """A validation or a revalidation vote by `validator` (either re-ran the inference)."""
    return any(get_record(kv, inference_id, kind, validator) is not None for kind in (False, True))


# -- executors ----------------------------------------------------------------------------


def get_executor(kv: KVReader, address: str) -> ExecutorRecord:
    record = load_proto(kv, EXECUTOR_PREFIX + address.encode(), ExecutorRecord)
    return ExecutorRecord(address=address, status=ExecutorStatus.RAMPING) if record is None else record


def set_executor(kv: Overlay, record: ExecutorRecord) -> None:
    store_proto(kv, EXECUTOR_PREFIX + record.address.encode(), record)


def is_invalid(kv: KVReader, address: str) -> bool:
    return get_executor(kv, address).status == ExecutorStatus.INVALID


# -- votes --------------------------------------------------------------------------------


def get_vote(kv: KVReader, inference_id: str) -> Vote | None:
    return load_proto(kv, VOTE_PREFIX + inference_id.encode(), Vote)


def set_vote(kv: Overlay, vote: Vote) -> None:
    store_proto(kv, VOTE_PREFIX + vote.inference_id.encode(), vote)
    deadline = DEADLINE_PREFIX + encode_u64(vote.deadline_height) + b"/" + vote.inference_id.encode()
    if vote.outcome:
        kv.delete(deadline)
    else:
        kv.set(deadline, b"")


def votes_due(kv: KVReader, before_height: int) -> list[str]:
    """Inference ids of open votes whose deadline is below `before_height`, oldest first."""
    due = []
    for key, _ in kv.prefix_items(DEADLINE_PREFIX):
        rest = key[len(DEADLINE_PREFIX) :]
        if decode_u64(rest[:8]) >= before_height:
            break
        due.append(rest[9:].decode())
    return due


# -- consensus power changes ----------------------------------------------------------------


def queue_validator_updates(kv: Overlay, updates: Sequence[ValidatorUpdate]) -> None:
    for update in updates:
        kv.set(UPDATES_PREFIX + update.public_key, encode_u64(update.power))


def merge_queued_validator_updates(kv: Overlay, earlier: Sequence[ValidatorUpdate]) -> list[ValidatorUpdate]:
    """This block's updates: `earlier` ones, overridden per key by the queued ones (queue cleared).

    The engine refuses two updates for one validator in a block, hence the merge.
    """
    queued = []
    for key, raw in kv.prefix_items(UPDATES_PREFIX):
        kv.delete(key)
        queued.append(ValidatorUpdate(key[len(UPDATES_PREFIX) :], decode_u64(raw)))
    overridden = {update.public_key for update in queued}
    return [update for update in earlier if update.public_key not in overridden] + queued


# -- claim-time duty -------------------------------------------------------------------------


def duty_view(inference: Inference) -> FinishedInference:
    """The fields of a completed inference that the should-validate rule reads."""
    return FinishedInference(
        inference_id=inference.inference_id,
        executor=inference.executed_by,
        executor_power=inference.executor_power,
        executor_reputation=inference.executor_reputation,
        total_power=inference.total_power,
        traffic_basis=inference.traffic_basis,
    )


def _validation_cutoff_height(kv: KVReader, epoch: int) -> int | None:
    """Inferences completed at or after this height need no validation (None: epoch unknown, no cutoff)."""
    record = get_epoch(kv, epoch)
    if record is None:
        return None
    params = load_params(kv).epoch
    return next_poc_start(params, epoch, record.poc_start_block_height) - params.inference_validation_cutoff


def required_validations_missing(kv: KVReader, claimant: str, epoch: int, seed: int) -> int:
    """How many of `epoch`'s completed inferences `claimant` had to validate (by its revealed
    seed and the should-validate rule) but did not; its own and those after the cutoff excluded."""
    params = load_params(kv).validation
    power = group.member_weight(kv, epoch, claimant)
    cutoff = _validation_cutoff_height(kv, epoch)
    missing = 0
    for inference_id in completed_ids(kv, epoch):
        inference = get_inference(kv, inference_id)
        if inference is None or (cutoff is not None and inference.completed_height >= cutoff):
            continue
        required = should_validate(seed, claimant, power, duty_view(inference), params)
        if required and not has_validated(kv, inference_id, claimant):
            missing += 1
    return missing
