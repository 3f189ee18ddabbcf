from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Epoch(_message.Message):
    __slots__ = ("index", "poc_start_block_height")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    POC_START_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    index: int
    poc_start_block_height: int
    def __init__(self, index: _Optional[int] = ..., poc_start_block_height: _Optional[int] = ...) -> None: ...

class EpochMember(_message.Message):
    __slots__ = ("address", "poc_weight", "weight", "reputation", "consensus_public_key", "models")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POC_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    REPUTATION_FIELD_NUMBER: _ClassVar[int]
    CONSENSUS_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    address: str
    poc_weight: int
    weight: int
    reputation: int
    consensus_public_key: bytes
    models: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, address: _Optional[str] = ..., poc_weight: _Optional[int] = ..., weight: _Optional[int] = ..., reputation: _Optional[int] = ..., consensus_public_key: _Optional[bytes] = ..., models: _Optional[_Iterable[str]] = ...) -> None: ...

class EpochGroup(_message.Message):
    __slots__ = ("epoch_index", "poc_start_block_height", "total_weight", "formed_height", "effective_height")
    EPOCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    POC_START_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    FORMED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    epoch_index: int
    poc_start_block_height: int
    total_weight: int
    formed_height: int
    effective_height: int
    def __init__(self, epoch_index: _Optional[int] = ..., poc_start_block_height: _Optional[int] = ..., total_weight: _Optional[int] = ..., formed_height: _Optional[int] = ..., effective_height: _Optional[int] = ...) -> None: ...
