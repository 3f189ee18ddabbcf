from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExecutorStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXECUTOR_STATUS_UNSPECIFIED: _ClassVar[ExecutorStatus]
    RAMPING: _ClassVar[ExecutorStatus]
    ACTIVE: _ClassVar[ExecutorStatus]
    INVALID: _ClassVar[ExecutorStatus]
EXECUTOR_STATUS_UNSPECIFIED: ExecutorStatus
RAMPING: ExecutorStatus
ACTIVE: ExecutorStatus
INVALID: ExecutorStatus

class MsgValidation(_message.Message):
    __slots__ = ("creator", "inference_id", "response_payload", "response_hash", "value_ppm", "revalidation")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_HASH_FIELD_NUMBER: _ClassVar[int]
    VALUE_PPM_FIELD_NUMBER: _ClassVar[int]
    REVALIDATION_FIELD_NUMBER: _ClassVar[int]
    creator: str
    inference_id: str
    response_payload: str
    response_hash: str
    value_ppm: int
    revalidation: bool
    def __init__(self, creator: _Optional[str] = ..., inference_id: _Optional[str] = ..., response_payload: _Optional[str] = ..., response_hash: _Optional[str] = ..., value_ppm: _Optional[int] = ..., revalidation: _Optional[bool] = ...) -> None: ...

class ValidationRecord(_message.Message):
    __slots__ = ("inference_id", "validator", "epoch", "value_ppm", "passed", "revalidation", "height", "response_hash", "power")
    INFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    VALUE_PPM_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    REVALIDATION_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_HASH_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    inference_id: str
    validator: str
    epoch: int
    value_ppm: int
    passed: bool
    revalidation: bool
    height: int
    response_hash: str
    power: int
    def __init__(self, inference_id: _Optional[str] = ..., validator: _Optional[str] = ..., epoch: _Optional[int] = ..., value_ppm: _Optional[int] = ..., passed: _Optional[bool] = ..., revalidation: _Optional[bool] = ..., height: _Optional[int] = ..., response_hash: _Optional[str] = ..., power: _Optional[int] = ...) -> None: ...

class Vote(_message.Message):
    __slots__ = ("inference_id", "epoch", "total_power", "invalidate_power", "revalidate_power", "opened_height", "deadline_height", "outcome")
    INFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    TOTAL_POWER_FIELD_NUMBER: _ClassVar[int]
    INVALIDATE_POWER_FIELD_NUMBER: _ClassVar[int]
    REVALIDATE_POWER_FIELD_NUMBER: _ClassVar[int]
    OPENED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    inference_id: str
    epoch: int
    total_power: int
    invalidate_power: int
    revalidate_power: int
    opened_height: int
    deadline_height: int
    outcome: str
    def __init__(self, inference_id: _Optional[str] = ..., epoch: _Optional[int] = ..., total_power: _Optional[int] = ..., invalidate_power: _Optional[int] = ..., revalidate_power: _Optional[int] = ..., opened_height: _Optional[int] = ..., deadline_height: _Optional[int] = ..., outcome: _Optional[str] = ...) -> None: ...

class ExecutorRecord(_message.Message):
    __slots__ = ("address", "status", "validated_inferences", "invalidated_inferences", "consecutive_invalid_inferences")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_INFERENCES_FIELD_NUMBER: _ClassVar[int]
    INVALIDATED_INFERENCES_FIELD_NUMBER: _ClassVar[int]
    CONSECUTIVE_INVALID_INFERENCES_FIELD_NUMBER: _ClassVar[int]
    address: str
    status: ExecutorStatus
    validated_inferences: int
    invalidated_inferences: int
    consecutive_invalid_inferences: int
    def __init__(self, address: _Optional[str] = ..., status: _Optional[_Union[ExecutorStatus, str]] = ..., validated_inferences: _Optional[int] = ..., invalidated_inferences: _Optional[int] = ..., consecutive_invalid_inferences: _Optional[int] = ...) -> None: ...

class ValidationParams(_message.Message):
    __slots__ = ("false_positive_rate_ppm", "min_ramp_up_measurements", "min_validation_average_ppm", "max_validation_average_ppm", "min_validation_halfway_ppm", "full_validation_traffic_cutoff", "min_validation_traffic_cutoff", "voting_period_blocks")
    FALSE_POSITIVE_RATE_PPM_FIELD_NUMBER: _ClassVar[int]
    MIN_RAMP_UP_MEASUREMENTS_FIELD_NUMBER: _ClassVar[int]
    MIN_VALIDATION_AVERAGE_PPM_FIELD_NUMBER: _ClassVar[int]
    MAX_VALIDATION_AVERAGE_PPM_FIELD_NUMBER: _ClassVar[int]
    MIN_VALIDATION_HALFWAY_PPM_FIELD_NUMBER: _ClassVar[int]
    FULL_VALIDATION_TRAFFIC_CUTOFF_FIELD_NUMBER: _ClassVar[int]
    MIN_VALIDATION_TRAFFIC_CUTOFF_FIELD_NUMBER: _ClassVar[int]
    VOTING_PERIOD_BLOCKS_FIELD_NUMBER: _ClassVar[int]
    false_positive_rate_ppm: int
    min_ramp_up_measurements: int
    min_validation_average_ppm: int
    max_validation_average_ppm: int
    min_validation_halfway_ppm: int
    full_validation_traffic_cutoff: int
    min_validation_traffic_cutoff: int
    voting_period_blocks: int
    def __init__(self, false_positive_rate_ppm: _Optional[int] = ..., min_ramp_up_measurements: _Optional[int] = ..., min_validation_average_ppm: _Optional[int] = ..., max_validation_average_ppm: _Optional[int] = ..., min_validation_halfway_ppm: _Optional[int] = ..., full_validation_traffic_cutoff: _Optional[int] = ..., min_validation_traffic_cutoff: _Optional[int] = ..., voting_period_blocks: _Optional[int] = ...) -> None: ...
