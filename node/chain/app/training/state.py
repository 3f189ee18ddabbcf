"""Training tasks, their workers, step commitments and validation votes in app state.

Keys:
    training/next_id                                  u64 id of the next task
    training/task/<u64 id>                            TrainingTask
    training/live/<u64 id>                            b"" while the task is OPEN, TRAINING or VALIDATING
    training/worker/<u64 id>/<address>                WorkerRecord
    training/commit/<u64 id>/<address>/<u64 step>     StepCommitment
    training/vote/<u64 id>/<worker>/<validator>       TrainingValidation

The escrow of every task sits in ESCROW_ACCOUNT; its balance always equals the sum of the
`escrow` fields of all tasks.
"""

from __future__ import annotations

from node.chain.app.encoding import decode_u64, encode_u64, load_all, load_proto, load_u64, store_proto
from node.chain.store.overlay import KVReader, Overlay
from node.core.keys import module_address
from node.proto.gonka.training_tasks_pb2 import StepCommitment, TrainingTask, TrainingValidation, WorkerRecord

ESCROW_ACCOUNT = module_address("training")

NEXT_ID_KEY = b"training/next_id"
TASK_PREFIX = b"training/task/"
LIVE_PREFIX = b"training/live/"
WORKER_PREFIX = b"training/worker/"
COMMIT_PREFIX = b"training/commit/"
VOTE_PREFIX = b"training/vote/"


def next_task_id(kv: Overlay) -> int:
    """Ids start at 1, so 0 never names a task."""
    task_id = load_u64(kv, NEXT_ID_KEY) or 1
    kv.set(NEXT_ID_KEY, encode_u64(task_id + 1))
    return task_id


def get_task(kv: KVReader, task_id: int) -> TrainingTask | None:
    return load_proto(kv, TASK_PREFIX + encode_u64(task_id), TrainingTask)


def set_task(kv: Overlay, task: TrainingTask, live: bool) -> None:
    store_proto(kv, TASK_PREFIX + encode_u64(task.id), task)
    if live:
        kv.set(LIVE_PREFIX + encode_u64(task.id), b"")
    else:
        kv.delete(LIVE_PREFIX + encode_u64(task.id))


def live_task_ids(kv: KVReader) -> list[int]:
    return [decode_u64(key[len(LIVE_PREFIX) :]) for key, _ in kv.prefix_items(LIVE_PREFIX)]


def all_tasks(kv: KVReader) -> list[TrainingTask]:
    return load_all(kv, TASK_PREFIX, TrainingTask)


def _worker_key(task_id: int, address: str) -> bytes:
    return WORKER_PREFIX + encode_u64(task_id) + b"/" + address.encode()


def get_worker(kv: KVReader, task_id: int, address: str) -> WorkerRecord | None:
    return load_proto(kv, _worker_key(task_id, address), WorkerRecord)


def set_worker(kv: Overlay, worker: WorkerRecord) -> None:
    store_proto(kv, _worker_key(worker.task_id, worker.address), worker)


def workers(kv: KVReader, task_id: int) -> list[WorkerRecord]:
    """Ordered by address."""
    return load_all(kv, WORKER_PREFIX + encode_u64(task_id) + b"/", WorkerRecord)


def _commit_prefix(task_id: int, worker: str) -> bytes:
    return COMMIT_PREFIX + encode_u64(task_id) + b"/" + worker.encode() + b"/"


def get_commitment(kv: KVReader, task_id: int, worker: str, outer_step: int) -> StepCommitment | None:
    return load_proto(kv, _commit_prefix(task_id, worker) + encode_u64(outer_step), StepCommitment)


def set_commitment(kv: Overlay, commitment: StepCommitment) -> None:
    key = _commit_prefix(commitment.task_id, commitment.worker) + encode_u64(commitment.outer_step)
    store_proto(kv, key, commitment)


def commitments(kv: KVReader, task_id: int, worker: str | None = None) -> list[StepCommitment]:
    """One worker's commitments by outer step, or every worker's (by worker, then step)."""
    prefix = COMMIT_PREFIX + encode_u64(task_id) + b"/"
    return load_all(kv, prefix if worker is None else _commit_prefix(task_id, worker), StepCommitment)


def _vote_key(task_id: int, worker: str, validator: str) -> bytes:
    return VOTE_PREFIX + encode_u64(task_id) + b"/" + worker.encode() + b"/" + validator.encode()


def get_vote(kv: KVReader, task_id: int, worker: str, validator: str) -> TrainingValidation | None:
    return load_proto(kv, _vote_key(task_id, worker, validator), TrainingValidation)


def set_vote(kv: Overlay, vote: TrainingValidation) -> None:
    store_proto(kv, _vote_key(vote.task_id, vote.worker, vote.validator), vote)


def votes(kv: KVReader, task_id: int) -> list[TrainingValidation]:
    return load_all(kv, VOTE_PREFIX + encode_u64(task_id) + b"/", TrainingValidation)
