from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class StartTrainingRequest(_message.Message):
    __slots__ = ("task_id", "spec_json", "shard", "num_shards", "lighthouse_url", "replica_id", "adversary")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    SPEC_JSON_FIELD_NUMBER: _ClassVar[int]
    SHARD_FIELD_NUMBER: _ClassVar[int]
    NUM_SHARDS_FIELD_NUMBER: _ClassVar[int]
    LIGHTHOUSE_URL_FIELD_NUMBER: _ClassVar[int]
    REPLICA_ID_FIELD_NUMBER: _ClassVar[int]
    ADVERSARY_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    spec_json: str
    shard: int
    num_shards: int
    lighthouse_url: str
    replica_id: str
    adversary: str
    def __init__(self, task_id: _Optional[int] = ..., spec_json: _Optional[str] = ..., shard: _Optional[int] = ..., num_shards: _Optional[int] = ..., lighthouse_url: _Optional[str] = ..., replica_id: _Optional[str] = ..., adversary: _Optional[str] = ...) -> None: ...

class StopTrainingRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    def __init__(self, task_id: _Optional[int] = ...) -> None: ...

class TrainingStatusRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    def __init__(self, task_id: _Optional[int] = ...) -> None: ...

class TrainingStatus(_message.Message):
    __slots__ = ("task_id", "state", "pid", "outer_step", "inner_step", "commits", "final_params_hash", "eval_loss", "error")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PID_FIELD_NUMBER: _ClassVar[int]
    OUTER_STEP_FIELD_NUMBER: _ClassVar[int]
    INNER_STEP_FIELD_NUMBER: _ClassVar[int]
    COMMITS_FIELD_NUMBER: _ClassVar[int]
    FINAL_PARAMS_HASH_FIELD_NUMBER: _ClassVar[int]
    EVAL_LOSS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    state: str
    pid: int
    outer_step: int
    inner_step: int
    commits: int
    final_params_hash: str
    eval_loss: float
    error: str
    def __init__(self, task_id: _Optional[int] = ..., state: _Optional[str] = ..., pid: _Optional[int] = ..., outer_step: _Optional[int] = ..., inner_step: _Optional[int] = ..., commits: _Optional[int] = ..., final_params_hash: _Optional[str] = ..., eval_loss: _Optional[float] = ..., error: _Optional[str] = ...) -> None: ...

class StreamTrainingEventsRequest(_message.Message):
    __slots__ = ("task_id", "from_index")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_INDEX_FIELD_NUMBER: _ClassVar[int]
    task_id: int
    from_index: int
    def __init__(self, task_id: _Optional[int] = ..., from_index: _Optional[int] = ...) -> None: ...

class TrainingEvent(_message.Message):
    __slots__ = ("index", "json")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    JSON_FIELD_NUMBER: _ClassVar[int]
    index: int
    json: str
    def __init__(self, index: _Optional[int] = ..., json: _Optional[str] = ...) -> None: ...

class FetchArtifactRequest(_message.Message):
    __slots__ = ("hash",)
    HASH_FIELD_NUMBER: _ClassVar[int]
    hash: str
    def __init__(self, hash: _Optional[str] = ...) -> None: ...

class ArtifactChunk(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...

class ValidateTrainingRequest(_message.Message):
    __slots__ = ("spec_json", "shard", "num_shards", "commitments_json", "all_commitments_json", "challenge_seed", "validator", "worker", "segments", "artifact_source")
    SPEC_JSON_FIELD_NUMBER: _ClassVar[int]
    SHARD_FIELD_NUMBER: _ClassVar[int]
    NUM_SHARDS_FIELD_NUMBER: _ClassVar[int]
    COMMITMENTS_JSON_FIELD_NUMBER: _ClassVar[int]
    ALL_COMMITMENTS_JSON_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SEED_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    WORKER_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    spec_json: str
    shard: int
    num_shards: int
    commitments_json: str
    all_commitments_json: str
    challenge_seed: bytes
    validator: str
    worker: str
    segments: int
    artifact_source: str
    def __init__(self, spec_json: _Optional[str] = ..., shard: _Optional[int] = ..., num_shards: _Optional[int] = ..., commitments_json: _Optional[str] = ..., all_commitments_json: _Optional[str] = ..., challenge_seed: _Optional[bytes] = ..., validator: _Optional[str] = ..., worker: _Optional[str] = ..., segments: _Optional[int] = ..., artifact_source: _Optional[str] = ...) -> None: ...

class TrainingVerdict(_message.Message):
    __slots__ = ("passed", "checks_json")
    PASSED_FIELD_NUMBER: _ClassVar[int]
    CHECKS_JSON_FIELD_NUMBER: _ClassVar[int]
    passed: bool
    checks_json: str
    def __init__(self, passed: _Optional[bool] = ..., checks_json: _Optional[str] = ...) -> None: ...
