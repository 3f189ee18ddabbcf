from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TaskStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OPEN: _ClassVar[TaskStatus]
    TRAINING: _ClassVar[TaskStatus]
    VALIDATING: _ClassVar[TaskStatus]
    SETTLED: _ClassVar[TaskStatus]
    CANCELLED: _ClassVar[TaskStatus]

class WorkerStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTIVE: _ClassVar[WorkerStatus]
    DROPPED: _ClassVar[WorkerStatus]
    VERIFIED: _ClassVar[WorkerStatus]
    CAUGHT: _ClassVar[WorkerStatus]
    UNVERIFIED: _ClassVar[WorkerStatus]
OPEN: TaskStatus
TRAINING: TaskStatus
VALIDATING: TaskStatus
SETTLED: TaskStatus
CANCELLED: TaskStatus
ACTIVE: WorkerStatus
DROPPED: WorkerStatus
VERIFIED: WorkerStatus
CAUGHT: WorkerStatus
UNVERIFIED: WorkerStatus

class TrainingParams(_message.Message):
    __slots__ = ("min_inner_steps", "max_inner_steps", "max_outer_steps", "max_workers", "min_payment_per_step", "heartbeat_timeout_blocks", "validation_period_blocks", "verdict_threshold_ppm", "open_timeout_blocks")
    MIN_INNER_STEPS_FIELD_NUMBER: _ClassVar[int]
    MAX_INNER_STEPS_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTER_STEPS_FIELD_NUMBER: _ClassVar[int]
    MAX_WORKERS_FIELD_NUMBER: _ClassVar[int]
    MIN_PAYMENT_PER_STEP_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_TIMEOUT_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_PERIOD_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    VERDICT_THRESHOLD_PPM_FIELD_NUMBER: _ClassVar[int]
    OPEN_TIMEOUT_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    min_inner_steps: int
    max_inner_steps: int
    max_outer_steps: int
    max_workers: int
    min_payment_per_step: int
    heartbeat_timeout_blocks: int
    validation_period_blocks: int
    verdict_threshold_ppm: int
    open_timeout_blocks: int
    def __init__(self, min_inner_steps: _Optional[int] = ..., max_inner_steps: _Optional[int] = ..., max_outer_steps: _Optional[int] = ..., max_workers: _Optional[int] = ..., min_payment_per_step: _Optional[int] = ..., heartbeat_timeout_blocks: _Optional[int] = ..., validation_period_blocks: _Optional[int] = ..., verdict_threshold_ppm: _Optional[int] = ..., open_timeout_blocks: _Optional[int] = ...) -> None: ...

class TaskSpec(_message.Message):
    __slots__ = ("model", "dataset", "inner_steps", "outer_steps", "min_workers", "max_workers", "batch_size", "seq_len", "seed", "inner_lr_micro", "segment_steps")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    INNER_STEPS_FIELD_NUMBER: _ClassVar[int]
    OUTER_STEPS_FIELD_NUMBER: _ClassVar[int]
    MIN_WORKERS_FIELD_NUMBER: _ClassVar[int]
    MAX_WORKERS_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    SEQ_LEN_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    INNER_LR_MICRO_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_STEPS_FIELD_NUMBER: _ClassVar[int]
    model: str
    dataset: str
    inner_steps: int
    outer_steps: int
    min_workers: int
    max_workers: int
    batch_size: int
    seq_len: int
    seed: int
    inner_lr_micro: int
    segment_steps: int
    def __init__(self, model: _Optional[str] = ..., dataset: _Optional[str] = ..., inner_steps: _Optional[int] = ..., outer_steps: _Optional[int] = ..., min_workers: _Optional[int] = ..., max_workers: _Optional[int] = ..., batch_size: _Optional[int] = ..., seq_len: _Optional[int] = ..., seed: _Optional[int] = ..., inner_lr_micro: _Optional[int] = ..., segment_steps: _Optional[int] = ...) -> None: ...

class TrainingTask(_message.Message):
    __slots__ = ("id", "creator", "spec", "budget", "escrow", "status", "assignees", "payment_per_step", "created_height", "started_height", "finished_height", "validation_deadline", "challenge_seed", "paid", "refunded", "forfeited", "end_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    ESCROW_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEES_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_PER_STEP_FIELD_NUMBER: _ClassVar[int]
    CREATED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    STARTED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SEED_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FIELD_NUMBER: _ClassVar[int]
    FORFEITED_FIELD_NUMBER: _ClassVar[int]
    END_REASON_FIELD_NUMBER: _ClassVar[int]
    id: int
    creator: str
    spec: TaskSpec
    budget: int
    escrow: int
    status: TaskStatus
    assignees: _containers.RepeatedScalarFieldContainer[str]
    payment_per_step: int
    created_height: int
    started_height: int
    finished_height: int
    validation_deadline: int
    challenge_seed: bytes
    paid: int
    refunded: int
    forfeited: int
    end_reason: str
    def __init__(self, id: _Optional[int] = ..., creator: _Optional[str] = ..., spec: _Optional[_Union[TaskSpec, _Mapping]] = ..., budget: _Optional[int] = ..., escrow: _Optional[int] = ..., status: _Optional[_Union[TaskStatus, str]] = ..., assignees: _Optional[_Iterable[str]] = ..., payment_per_step: _Optional[int] = ..., created_height: _Optional[int] = ..., started_height: _Optional[int] = ..., finished_height: _Optional[int] = ..., validation_deadline: _Optional[int] = ..., challenge_seed: _Optional[bytes] = ..., paid: _Optional[int] = ..., refunded: _Optional[int] = ..., forfeited: _Optional[int] = ..., end_reason: _Optional[str] = ...) -> None: ...

class WorkerRecord(_message.Message):
    __slots__ = ("task_id", "address", "shard", "status", "joined_height", "joins", "last_seen_height", "outer_step", "inner_step", "committed_steps", "pass_weight", "fail_weight", "paid")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SHARD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    JOINED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    JOINS_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    OUTER_STEP_FIELD_NUMBER: _ClassVar[int]
    INNER_STEP_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_STEPS_FIELD_NUMBER: _ClassVar[int]
    PASS_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FAIL_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    address: str
    shard: int
    status: WorkerStatus
    joined_height: int
    joins: int
    last_seen_height: int
    outer_step: int
    inner_step: int
    committed_steps: int
    pass_weight: int
    fail_weight: int
    paid: int
    def __init__(self, task_id: _Optional[int] = ..., address: _Optional[str] = ..., shard: _Optional[int] = ..., status: _Optional[_Union[WorkerStatus, str]] = ..., joined_height: _Optional[int] = ..., joins: _Optional[int] = ..., last_seen_height: _Optional[int] = ..., outer_step: _Optional[int] = ..., inner_step: _Optional[int] = ..., committed_steps: _Optional[int] = ..., pass_weight: _Optional[int] = ..., fail_weight: _Optional[int] = ..., paid: _Optional[int] = ...) -> None: ...

class StepCommitment(_message.Message):
    __slots__ = ("task_id", "worker", "outer_step", "start_params_hash", "snapshot_hashes", "pseudo_gradient_hash", "losses_micro", "height")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    OUTER_STEP_FIELD_NUMBER: _ClassVar[int]
    START_PARAMS_HASH_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_HASHES_FIELD_NUMBER: _ClassVar[int]
    PSEUDO_GRADIENT_HASH_FIELD_NUMBER: _ClassVar[int]
    LOSSES_MICRO_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    worker: str
    outer_step: int
    start_params_hash: str
    snapshot_hashes: _containers.RepeatedScalarFieldContainer[str]
    pseudo_gradient_hash: str
    losses_micro: _containers.RepeatedScalarFieldContainer[int]
    height: int
    def __init__(self, task_id: _Optional[int] = ..., worker: _Optional[str] = ..., outer_step: _Optional[int] = ..., start_params_hash: _Optional[str] = ..., snapshot_hashes: _Optional[_Iterable[str]] = ..., pseudo_gradient_hash: _Optional[str] = ..., losses_micro: _Optional[_Iterable[int]] = ..., height: _Optional[int] = ...) -> None: ...

class SegmentCheck(_message.Message):
    __slots__ = ("outer_step", "segment", "loss_error_ppm", "state_error_ppm")
    OUTER_STEP_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    LOSS_ERROR_PPM_FIELD_NUMBER: _ClassVar[int]
    STATE_ERROR_PPM_FIELD_NUMBER: _ClassVar[int]
    outer_step: int
    segment: int
    loss_error_ppm: int
    state_error_ppm: int
    def __init__(self, outer_step: _Optional[int] = ..., segment: _Optional[int] = ..., loss_error_ppm: _Optional[int] = ..., state_error_ppm: _Optional[int] = ...) -> None: ...

class TrainingValidation(_message.Message):
    __slots__ = ("task_id", "worker", "validator", "passed", "checks", "weight", "height")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    worker: str
    validator: str
    passed: bool
    checks: _containers.RepeatedCompositeFieldContainer[SegmentCheck]
    weight: int
    height: int
    def __init__(self, task_id: _Optional[int] = ..., worker: _Optional[str] = ..., validator: _Optional[str] = ..., passed: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[SegmentCheck, _Mapping]]] = ..., weight: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class MsgCreateTrainingTask(_message.Message):
    __slots__ = ("creator", "spec", "budget")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    creator: str
    spec: TaskSpec
    budget: int
    def __init__(self, creator: _Optional[str] = ..., spec: _Optional[_Union[TaskSpec, _Mapping]] = ..., budget: _Optional[int] = ...) -> None: ...

class MsgJoinTrainingTask(_message.Message):
    __slots__ = ("creator", "task_id")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    creator: str
    task_id: int
    def __init__(self, creator: _Optional[str] = ..., task_id: _Optional[int] = ...) -> None: ...

class MsgTrainingHeartbeat(_message.Message):
    __slots__ = ("creator", "task_id", "outer_step", "inner_step")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    OUTER_STEP_FIELD_NUMBER: _ClassVar[int]
    INNER_STEP_FIELD_NUMBER: _ClassVar[int]
    creator: str
    task_id: int
    outer_step: int
    inner_step: int
    def __init__(self, creator: _Optional[str] = ..., task_id: _Optional[int] = ..., outer_step: _Optional[int] = ..., inner_step: _Optional[int] = ...) -> None: ...

class MsgCommitTrainingStep(_message.Message):
    __slots__ = ("creator", "commitment")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    COMMITMENT_FIELD_NUMBER: _ClassVar[int]
    creator: str
    commitment: StepCommitment
    def __init__(self, creator: _Optional[str] = ..., commitment: _Optional[_Union[StepCommitment, _Mapping]] = ...) -> None: ...

class MsgSubmitTrainingValidation(_message.Message):
    __slots__ = ("creator", "task_id", "worker", "passed", "checks")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    creator: str
    task_id: int
    worker: str
    passed: bool
    checks: _containers.RepeatedCompositeFieldContainer[SegmentCheck]
    def __init__(self, creator: _Optional[str] = ..., task_id: _Optional[int] = ..., worker: _Optional[str] = ..., passed: _Optional[bool] = ..., checks: _Optional[_Iterable[_Union[SegmentCheck, _Mapping]]] = ...) -> None: ...

class MsgStopTrainingTask(_message.Message):
    __slots__ = ("creator", "task_id")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    creator: str
    task_id: int
    def __init__(self, creator: _Optional[str] = ..., task_id: _Optional[int] = ...) -> None: ...
