from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HealthRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class HealthResponse(_message.Message):
    __slots__ = ("name", "state", "models", "uptime_s", "pow_adversary", "inference_adversary", "pow_phase")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    UPTIME_S_FIELD_NUMBER: _ClassVar[int]
    POW_ADVERSARY_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ADVERSARY_FIELD_NUMBER: _ClassVar[int]
    POW_PHASE_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: str
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    uptime_s: float
    pow_adversary: str
    inference_adversary: str
    pow_phase: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[str] = ..., models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ..., uptime_s: _Optional[float] = ..., pow_adversary: _Optional[str] = ..., inference_adversary: _Optional[str] = ..., pow_phase: _Optional[str] = ...) -> None: ...

class StopRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StopResponse(_message.Message):
    __slots__ = ("previous_state", "state")
    PREVIOUS_STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    previous_state: str
    state: str
    def __init__(self, previous_state: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class PowModelParams(_message.Message):
    __slots__ = ("dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "ffn_dim_multiplier", "multiple_of", "norm_eps", "rope_theta", "use_scaled_rope", "seq_len")
    DIM_FIELD_NUMBER: _ClassVar[int]
    N_LAYERS_FIELD_NUMBER: _ClassVar[int]
    N_HEADS_FIELD_NUMBER: _ClassVar[int]
    N_KV_HEADS_FIELD_NUMBER: _ClassVar[int]
    VOCAB_SIZE_FIELD_NUMBER: _ClassVar[int]
    FFN_DIM_MULTIPLIER_FIELD_NUMBER: _ClassVar[int]
    MULTIPLE_OF_FIELD_NUMBER: _ClassVar[int]
    NORM_EPS_FIELD_NUMBER: _ClassVar[int]
    ROPE_THETA_FIELD_NUMBER: _ClassVar[int]
    USE_SCALED_ROPE_FIELD_NUMBER: _ClassVar[int]
    SEQ_LEN_FIELD_NUMBER: _ClassVar[int]
    dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    vocab_size: int
    ffn_dim_multiplier: float
    multiple_of: int
    norm_eps: float
    rope_theta: float
    use_scaled_rope: bool
    seq_len: int
    def __init__(self, dim: _Optional[int] = ..., n_layers: _Optional[int] = ..., n_heads: _Optional[int] = ..., n_kv_heads: _Optional[int] = ..., vocab_size: _Optional[int] = ..., ffn_dim_multiplier: _Optional[float] = ..., multiple_of: _Optional[int] = ..., norm_eps: _Optional[float] = ..., rope_theta: _Optional[float] = ..., use_scaled_rope: _Optional[bool] = ..., seq_len: _Optional[int] = ...) -> None: ...

class PowInitRequest(_message.Message):
    __slots__ = ("block_hash", "block_height", "public_key", "r_target", "fraud_threshold", "params_name", "model_params", "node_id", "node_count", "batch_size")
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    R_TARGET_FIELD_NUMBER: _ClassVar[int]
    FRAUD_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    PARAMS_NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_PARAMS_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    block_hash: str
    block_height: int
    public_key: str
    r_target: float
    fraud_threshold: float
    params_name: str
    model_params: PowModelParams
    node_id: int
    node_count: int
    batch_size: int
    def __init__(self, block_hash: _Optional[str] = ..., block_height: _Optional[int] = ..., public_key: _Optional[str] = ..., r_target: _Optional[float] = ..., fraud_threshold: _Optional[float] = ..., params_name: _Optional[str] = ..., model_params: _Optional[_Union[PowModelParams, _Mapping]] = ..., node_id: _Optional[int] = ..., node_count: _Optional[int] = ..., batch_size: _Optional[int] = ...) -> None: ...

class PowStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PowStatusResponse(_message.Message):
    __slots__ = ("state", "phase", "block_hash", "block_height", "nonces_tried", "valid_found", "rate", "elapsed_s", "batches", "is_model_initialized", "error", "batches_validated")
    STATE_FIELD_NUMBER: _ClassVar[int]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    NONCES_TRIED_FIELD_NUMBER: _ClassVar[int]
    VALID_FOUND_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_S_FIELD_NUMBER: _ClassVar[int]
    BATCHES_FIELD_NUMBER: _ClassVar[int]
    IS_MODEL_INITIALIZED_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    BATCHES_VALIDATED_FIELD_NUMBER: _ClassVar[int]
    state: str
    phase: str
    block_hash: str
    block_height: int
    nonces_tried: int
    valid_found: int
    rate: float
    elapsed_s: float
    batches: int
    is_model_initialized: bool
    error: str
    batches_validated: int
    def __init__(self, state: _Optional[str] = ..., phase: _Optional[str] = ..., block_hash: _Optional[str] = ..., block_height: _Optional[int] = ..., nonces_tried: _Optional[int] = ..., valid_found: _Optional[int] = ..., rate: _Optional[float] = ..., elapsed_s: _Optional[float] = ..., batches: _Optional[int] = ..., is_model_initialized: _Optional[bool] = ..., error: _Optional[str] = ..., batches_validated: _Optional[int] = ...) -> None: ...

class StreamGeneratedRequest(_message.Message):
    __slots__ = ("from_index",)
    FROM_INDEX_FIELD_NUMBER: _ClassVar[int]
    from_index: int
    def __init__(self, from_index: _Optional[int] = ...) -> None: ...

class ProofBatch(_message.Message):
    __slots__ = ("block_hash", "public_key", "block_height", "node_id", "nonces", "dist", "nonces_tried_so_far", "elapsed_s", "batch_index")
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NONCES_FIELD_NUMBER: _ClassVar[int]
    DIST_FIELD_NUMBER: _ClassVar[int]
    NONCES_TRIED_SO_FAR_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_S_FIELD_NUMBER: _ClassVar[int]
    BATCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    block_hash: str
    public_key: str
    block_height: int
    node_id: int
    nonces: _containers.RepeatedScalarFieldContainer[int]
    dist: _containers.RepeatedScalarFieldContainer[float]
    nonces_tried_so_far: int
    elapsed_s: float
    batch_index: int
    def __init__(self, block_hash: _Optional[str] = ..., public_key: _Optional[str] = ..., block_height: _Optional[int] = ..., node_id: _Optional[int] = ..., nonces: _Optional[_Iterable[int]] = ..., dist: _Optional[_Iterable[float]] = ..., nonces_tried_so_far: _Optional[int] = ..., elapsed_s: _Optional[float] = ..., batch_index: _Optional[int] = ...) -> None: ...

class ValidateBatchRequest(_message.Message):
    __slots__ = ("batch", "validator_public_key", "poc_start_height")
    BATCH_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    POC_START_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    batch: ProofBatch
    validator_public_key: str
    poc_start_height: int
    def __init__(self, batch: _Optional[_Union[ProofBatch, _Mapping]] = ..., validator_public_key: _Optional[str] = ..., poc_start_height: _Optional[int] = ...) -> None: ...

class ValidatedBatch(_message.Message):
    __slots__ = ("block_hash", "public_key", "block_height", "node_id", "nonces", "dist", "received_dist", "r_target", "fraud_threshold", "n_invalid", "probability_honest", "fraud_detected", "sample_size")
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    NONCES_FIELD_NUMBER: _ClassVar[int]
    DIST_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_DIST_FIELD_NUMBER: _ClassVar[int]
    R_TARGET_FIELD_NUMBER: _ClassVar[int]
    FRAUD_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    N_INVALID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_HONEST_FIELD_NUMBER: _ClassVar[int]
    FRAUD_DETECTED_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    block_hash: str
    public_key: str
    block_height: int
    node_id: int
    nonces: _containers.RepeatedScalarFieldContainer[int]
    dist: _containers.RepeatedScalarFieldContainer[float]
    received_dist: _containers.RepeatedScalarFieldContainer[float]
    r_target: float
    fraud_threshold: float
    n_invalid: int
    probability_honest: float
    fraud_detected: bool
    sample_size: int
    def __init__(self, block_hash: _Optional[str] = ..., public_key: _Optional[str] = ..., block_height: _Optional[int] = ..., node_id: _Optional[int] = ..., nonces: _Optional[_Iterable[int]] = ..., dist: _Optional[_Iterable[float]] = ..., received_dist: _Optional[_Iterable[float]] = ..., r_target: _Optional[float] = ..., fraud_threshold: _Optional[float] = ..., n_invalid: _Optional[int] = ..., probability_honest: _Optional[float] = ..., fraud_detected: _Optional[bool] = ..., sample_size: _Optional[int] = ...) -> None: ...

class ModelInfo(_message.Message):
    __slots__ = ("id", "fingerprint", "context_length")
    ID_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    id: str
    fingerprint: str
    context_length: int
    def __init__(self, id: _Optional[str] = ..., fingerprint: _Optional[str] = ..., context_length: _Optional[int] = ...) -> None: ...

class LoadModelRequest(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: str
    def __init__(self, model: _Optional[str] = ...) -> None: ...

class UnloadModelRequest(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: str
    def __init__(self, model: _Optional[str] = ...) -> None: ...

class UnloadModelResponse(_message.Message):
    __slots__ = ("state",)
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: str
    def __init__(self, state: _Optional[str] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[ModelInfo]
    def __init__(self, models: _Optional[_Iterable[_Union[ModelInfo, _Mapping]]] = ...) -> None: ...

class ChatRequest(_message.Message):
    __slots__ = ("request_json",)
    REQUEST_JSON_FIELD_NUMBER: _ClassVar[int]
    request_json: str
    def __init__(self, request_json: _Optional[str] = ...) -> None: ...

class ChatResponse(_message.Message):
    __slots__ = ("response_json",)
    RESPONSE_JSON_FIELD_NUMBER: _ClassVar[int]
    response_json: str
    def __init__(self, response_json: _Optional[str] = ...) -> None: ...

class ChatChunk(_message.Message):
    __slots__ = ("chunk_json",)
    CHUNK_JSON_FIELD_NUMBER: _ClassVar[int]
    chunk_json: str
    def __init__(self, chunk_json: _Optional[str] = ...) -> None: ...

class TokenizeRequest(_message.Message):
    __slots__ = ("model", "text")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    model: str
    text: str
    def __init__(self, model: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class TokenizeResponse(_message.Message):
    __slots__ = ("token_ids",)
    TOKEN_IDS_FIELD_NUMBER: _ClassVar[int]
    token_ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, token_ids: _Optional[_Iterable[int]] = ...) -> None: ...

class ValidateInferenceRequest(_message.Message):
    __slots__ = ("request_json", "claimed_response_json", "threshold")
    REQUEST_JSON_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_RESPONSE_JSON_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    request_json: str
    claimed_response_json: str
    threshold: float
    def __init__(self, request_json: _Optional[str] = ..., claimed_response_json: _Optional[str] = ..., threshold: _Optional[float] = ...) -> None: ...

class InferenceVerdict(_message.Message):
    __slots__ = ("passed", "similarity", "threshold", "model", "tokens", "mean_distance", "reason")
    PASSED_FIELD_NUMBER: _ClassVar[int]
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    MEAN_DISTANCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    passed: bool
    similarity: float
    threshold: float
    model: str
    tokens: int
    mean_distance: float
    reason: str
    def __init__(self, passed: _Optional[bool] = ..., similarity: _Optional[float] = ..., threshold: _Optional[float] = ..., model: _Optional[str] = ..., tokens: _Optional[int] = ..., mean_distance: _Optional[float] = ..., reason: _Optional[str] = ...) -> None: ...
