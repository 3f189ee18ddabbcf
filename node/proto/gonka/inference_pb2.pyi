from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InferenceStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INFERENCE_STATUS_UNSPECIFIED: _ClassVar[InferenceStatus]
    STARTED: _ClassVar[InferenceStatus]
    FINISHED: _ClassVar[InferenceStatus]
    VALIDATED: _ClassVar[InferenceStatus]
    INVALIDATED: _ClassVar[InferenceStatus]
    VOTING: _ClassVar[InferenceStatus]
    EXPIRED: _ClassVar[InferenceStatus]
INFERENCE_STATUS_UNSPECIFIED: InferenceStatus
STARTED: InferenceStatus
FINISHED: InferenceStatus
VALIDATED: InferenceStatus
INVALIDATED: InferenceStatus
VOTING: InferenceStatus
EXPIRED: InferenceStatus

class MsgStartInference(_message.Message):
    __slots__ = ("creator", "inference_id", "prompt_hash", "prompt_payload", "model", "requested_by", "assigned_to", "node_version", "max_tokens", "prompt_token_count", "request_timestamp", "transfer_signature", "original_prompt")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    PROMPT_HASH_FIELD_NUMBER: _ClassVar[int]
    PROMPT_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    ASSIGNED_TO_FIELD_NUMBER: _ClassVar[int]
    NODE_VERSION_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_PROMPT_FIELD_NUMBER: _ClassVar[int]
    creator: str
    inference_id: str
    prompt_hash: str
    prompt_payload: str
    model: str
    requested_by: str
    assigned_to: str
    node_version: str
    max_tokens: int
    prompt_token_count: int
    request_timestamp: int
    transfer_signature: str
    original_prompt: str
    def __init__(self, creator: _Optional[str] = ..., inference_id: _Optional[str] = ..., prompt_hash: _Optional[str] = ..., prompt_payload: _Optional[str] = ..., model: _Optional[str] = ..., requested_by: _Optional[str] = ..., assigned_to: _Optional[str] = ..., node_version: _Optional[str] = ..., max_tokens: _Optional[int] = ..., prompt_token_count: _Optional[int] = ..., request_timestamp: _Optional[int] = ..., transfer_signature: _Optional[str] = ..., original_prompt: _Optional[str] = ...) -> None: ...

class MsgFinishInference(_message.Message):
    __slots__ = ("creator", "inference_id", "response_hash", "response_payload", "prompt_token_count", "completion_token_count", "executed_by", "transferred_by", "request_timestamp", "transfer_signature", "executor_signature", "requested_by", "original_prompt", "model")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_HASH_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    EXECUTED_BY_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_BY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_PROMPT_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    creator: str
    inference_id: str
    response_hash: str
    response_payload: str
    prompt_token_count: int
    completion_token_count: int
    executed_by: str
    transferred_by: str
    request_timestamp: int
    transfer_signature: str
    executor_signature: str
    requested_by: str
    original_prompt: str
    model: str
    def __init__(self, creator: _Optional[str] = ..., inference_id: _Optional[str] = ..., response_hash: _Optional[str] = ..., response_payload: _Optional[str] = ..., prompt_token_count: _Optional[int] = ..., completion_token_count: _Optional[int] = ..., executed_by: _Optional[str] = ..., transferred_by: _Optional[str] = ..., request_timestamp: _Optional[int] = ..., transfer_signature: _Optional[str] = ..., executor_signature: _Optional[str] = ..., requested_by: _Optional[str] = ..., original_prompt: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...

class WorkShare(_message.Message):
    __slots__ = ("address", "amount")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    address: str
    amount: int
    def __init__(self, address: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class Inference(_message.Message):
    __slots__ = ("inference_id", "status", "start_processed", "finish_processed", "model", "requested_by", "transferred_by", "executed_by", "request_timestamp", "original_prompt", "prompt_hash", "prompt_payload", "node_version", "max_tokens", "start_prompt_token_count", "prompt_token_count", "completion_token_count", "response_hash", "response_payload", "transfer_signature", "executor_signature", "per_token_price", "escrow", "actual_cost", "first_seen_height", "expires_at_height", "completed_height", "epoch", "traffic_basis", "executor_power", "executor_reputation", "total_power", "shares")
    INFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    START_PROCESSED_FIELD_NUMBER: _ClassVar[int]
    FINISH_PROCESSED_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_BY_FIELD_NUMBER: _ClassVar[int]
    EXECUTED_BY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_PROMPT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_HASH_FIELD_NUMBER: _ClassVar[int]
    PROMPT_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    NODE_VERSION_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    START_PROMPT_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_HASH_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    PER_TOKEN_PRICE_FIELD_NUMBER: _ClassVar[int]
    ESCROW_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_COST_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_BASIS_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_POWER_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_REPUTATION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_POWER_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    inference_id: str
    status: InferenceStatus
    start_processed: bool
    finish_processed: bool
    model: str
    requested_by: str
    transferred_by: str
    executed_by: str
    request_timestamp: int
    original_prompt: str
    prompt_hash: str
    prompt_payload: str
    node_version: str
    max_tokens: int
    start_prompt_token_count: int
    prompt_token_count: int
    completion_token_count: int
    response_hash: str
    response_payload: str
    transfer_signature: str
    executor_signature: str
    per_token_price: int
    escrow: int
    actual_cost: int
    first_seen_height: int
    expires_at_height: int
    completed_height: int
    epoch: int
    traffic_basis: int
    executor_power: int
    executor_reputation: int
    total_power: int
    shares: _containers.RepeatedCompositeFieldContainer[WorkShare]
    def __init__(self, inference_id: _Optional[str] = ..., status: _Optional[_Union[InferenceStatus, str]] = ..., start_processed: _Optional[bool] = ..., finish_processed: _Optional[bool] = ..., model: _Optional[str] = ..., requested_by: _Optional[str] = ..., transferred_by: _Optional[str] = ..., executed_by: _Optional[str] = ..., request_timestamp: _Optional[int] = ..., original_prompt: _Optional[str] = ..., prompt_hash: _Optional[str] = ..., prompt_payload: _Optional[str] = ..., node_version: _Optional[str] = ..., max_tokens: _Optional[int] = ..., start_prompt_token_count: _Optional[int] = ..., prompt_token_count: _Optional[int] = ..., completion_token_count: _Optional[int] = ..., response_hash: _Optional[str] = ..., response_payload: _Optional[str] = ..., transfer_signature: _Optional[str] = ..., executor_signature: _Optional[str] = ..., per_token_price: _Optional[int] = ..., escrow: _Optional[int] = ..., actual_cost: _Optional[int] = ..., first_seen_height: _Optional[int] = ..., expires_at_height: _Optional[int] = ..., completed_height: _Optional[int] = ..., epoch: _Optional[int] = ..., traffic_basis: _Optional[int] = ..., executor_power: _Optional[int] = ..., executor_reputation: _Optional[int] = ..., total_power: _Optional[int] = ..., shares: _Optional[_Iterable[_Union[WorkShare, _Mapping]]] = ...) -> None: ...

class WorkRecord(_message.Message):
    __slots__ = ("address", "owed", "inference_count", "missed_requests", "epoch_inference_count", "epoch_missed_requests")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    OWED_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    MISSED_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    EPOCH_INFERENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    EPOCH_MISSED_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    address: str
    owed: int
    inference_count: int
    missed_requests: int
    epoch_inference_count: int
    epoch_missed_requests: int
    def __init__(self, address: _Optional[str] = ..., owed: _Optional[int] = ..., inference_count: _Optional[int] = ..., missed_requests: _Optional[int] = ..., epoch_inference_count: _Optional[int] = ..., epoch_missed_requests: _Optional[int] = ...) -> None: ...

class ModelPrice(_message.Message):
    __slots__ = ("model", "per_token_price", "utilization_ppm", "updated_height")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PER_TOKEN_PRICE_FIELD_NUMBER: _ClassVar[int]
    UTILIZATION_PPM_FIELD_NUMBER: _ClassVar[int]
    UPDATED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    model: str
    per_token_price: int
    utilization_ppm: int
    updated_height: int
    def __init__(self, model: _Optional[str] = ..., per_token_price: _Optional[int] = ..., utilization_ppm: _Optional[int] = ..., updated_height: _Optional[int] = ...) -> None: ...

class InferenceParams(_message.Message):
    __slots__ = ("expiration_blocks", "default_max_tokens")
    EXPIRATION_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    expiration_blocks: int
    default_max_tokens: int
    def __init__(self, expiration_blocks: _Optional[int] = ..., default_max_tokens: _Optional[int] = ...) -> None: ...

class PricingParams(_message.Message):
    __slots__ = ("grace_period_end_epoch", "grace_period_per_token_price", "base_per_token_price", "min_per_token_price", "stability_zone_lower_ppm", "stability_zone_upper_ppm", "price_elasticity_ppm", "utilization_window_blocks", "expected_block_time_ms", "default_capacity_tokens_per_second")
    GRACE_PERIOD_END_EPOCH_FIELD_NUMBER: _ClassVar[int]
    GRACE_PERIOD_PER_TOKEN_PRICE_FIELD_NUMBER: _ClassVar[int]
    BASE_PER_TOKEN_PRICE_FIELD_NUMBER: _ClassVar[int]
    MIN_PER_TOKEN_PRICE_FIELD_NUMBER: _ClassVar[int]
    STABILITY_ZONE_LOWER_PPM_FIELD_NUMBER: _ClassVar[int]
    STABILITY_ZONE_UPPER_PPM_FIELD_NUMBER: _ClassVar[int]
    PRICE_ELASTICITY_PPM_FIELD_NUMBER: _ClassVar[int]
    UTILIZATION_WINDOW_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_BLOCK_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_CAPACITY_TOKENS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    grace_period_end_epoch: int
    grace_period_per_token_price: int
    base_per_token_price: int
    min_per_token_price: int
    stability_zone_lower_ppm: int
    stability_zone_upper_ppm: int
    price_elasticity_ppm: int
    utilization_window_blocks: int
    expected_block_time_ms: int
    default_capacity_tokens_per_second: int
    def __init__(self, grace_period_end_epoch: _Optional[int] = ..., grace_period_per_token_price: _Optional[int] = ..., base_per_token_price: _Optional[int] = ..., min_per_token_price: _Optional[int] = ..., stability_zone_lower_ppm: _Optional[int] = ..., stability_zone_upper_ppm: _Optional[int] = ..., price_elasticity_ppm: _Optional[int] = ..., utilization_window_blocks: _Optional[int] = ..., expected_block_time_ms: _Optional[int] = ..., default_capacity_tokens_per_second: _Optional[int] = ...) -> None: ...
