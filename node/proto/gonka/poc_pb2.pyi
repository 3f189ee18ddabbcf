from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class PocParams(_message.Message):
    __slots__ = ("max_individual_power_ppm", "max_nonces_per_batch")
    MAX_INDIVIDUAL_POWER_PPM_FIELD_NUMBER: _ClassVar[int]
    MAX_NONCES_PER_BATCH_FIELD_NUMBER: _ClassVar[int]
    max_individual_power_ppm: int
    max_nonces_per_batch: int
    def __init__(self, max_individual_power_ppm: _Optional[int] = ..., max_nonces_per_batch: _Optional[int] = ...) -> None: ...

class MsgSubmitSeed(_message.Message):
    __slots__ = ("creator", "epoch_index", "signature")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    EPOCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    creator: str
    epoch_index: int
    signature: str
    def __init__(self, creator: _Optional[str] = ..., epoch_index: _Optional[int] = ..., signature: _Optional[str] = ...) -> None: ...

class MsgSubmitPocBatch(_message.Message):
    __slots__ = ("creator", "poc_stage_start_block_height", "batch_id", "nonces", "dist", "node_id")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    POC_STAGE_START_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    NONCES_FIELD_NUMBER: _ClassVar[int]
    DIST_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    creator: str
    poc_stage_start_block_height: int
    batch_id: str
    nonces: _containers.RepeatedScalarFieldContainer[int]
    dist: _containers.RepeatedScalarFieldContainer[float]
    node_id: str
    def __init__(self, creator: _Optional[str] = ..., poc_stage_start_block_height: _Optional[int] = ..., batch_id: _Optional[str] = ..., nonces: _Optional[_Iterable[int]] = ..., dist: _Optional[_Iterable[float]] = ..., node_id: _Optional[str] = ...) -> None: ...

class MsgSubmitPocValidation(_message.Message):
    __slots__ = ("creator", "participant_address", "poc_stage_start_block_height", "n_invalid", "probability_honest_ppb", "fraud_detected")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POC_STAGE_START_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    N_INVALID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_HONEST_PPB_FIELD_NUMBER: _ClassVar[int]
    FRAUD_DETECTED_FIELD_NUMBER: _ClassVar[int]
    creator: str
    participant_address: str
    poc_stage_start_block_height: int
    n_invalid: int
    probability_honest_ppb: int
    fraud_detected: bool
    def __init__(self, creator: _Optional[str] = ..., participant_address: _Optional[str] = ..., poc_stage_start_block_height: _Optional[int] = ..., n_invalid: _Optional[int] = ..., probability_honest_ppb: _Optional[int] = ..., fraud_detected: _Optional[bool] = ...) -> None: ...

class PocBatch(_message.Message):
    __slots__ = ("participant", "poc_stage_start_block_height", "batch_id", "nonces", "dist", "node_id", "height")
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    POC_STAGE_START_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    NONCES_FIELD_NUMBER: _ClassVar[int]
    DIST_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    participant: str
    poc_stage_start_block_height: int
    batch_id: str
    nonces: _containers.RepeatedScalarFieldContainer[int]
    dist: _containers.RepeatedScalarFieldContainer[float]
    node_id: str
    height: int
    def __init__(self, participant: _Optional[str] = ..., poc_stage_start_block_height: _Optional[int] = ..., batch_id: _Optional[str] = ..., nonces: _Optional[_Iterable[int]] = ..., dist: _Optional[_Iterable[float]] = ..., node_id: _Optional[str] = ..., height: _Optional[int] = ...) -> None: ...

class PocValidation(_message.Message):
    __slots__ = ("validator", "participant", "poc_stage_start_block_height", "n_invalid", "probability_honest_ppb", "fraud_detected", "height")
    VALIDATOR_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    POC_STAGE_START_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    N_INVALID_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_HONEST_PPB_FIELD_NUMBER: _ClassVar[int]
    FRAUD_DETECTED_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    validator: str
    participant: str
    poc_stage_start_block_height: int
    n_invalid: int
    probability_honest_ppb: int
    fraud_detected: bool
    height: int
    def __init__(self, validator: _Optional[str] = ..., participant: _Optional[str] = ..., poc_stage_start_block_height: _Optional[int] = ..., n_invalid: _Optional[int] = ..., probability_honest_ppb: _Optional[int] = ..., fraud_detected: _Optional[bool] = ..., height: _Optional[int] = ...) -> None: ...
