from node.proto.gonka import inference_pb2 as _inference_pb2
from node.proto.gonka import validation_pb2 as _validation_pb2
from node.proto.gonka import poc_pb2 as _poc_pb2
from node.proto.gonka import settlement_pb2 as _settlement_pb2
from node.proto.gonka import collateral_pb2 as _collateral_pb2
from node.proto.gonka import training_tasks_pb2 as _training_tasks_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EpochParams(_message.Message):
    __slots__ = ("epoch_length", "epoch_shift", "poc_stage_duration", "poc_exchange_duration", "poc_validation_delay", "poc_validation_duration", "set_new_validators_delay", "inference_validation_cutoff", "inference_pruning_epoch_threshold")
    EPOCH_LENGTH_FIELD_NUMBER: _ClassVar[int]
    EPOCH_SHIFT_FIELD_NUMBER: _ClassVar[int]
    POC_STAGE_DURATION_FIELD_NUMBER: _ClassVar[int]
    POC_EXCHANGE_DURATION_FIELD_NUMBER: _ClassVar[int]
    POC_VALIDATION_DELAY_FIELD_NUMBER: _ClassVar[int]
    POC_VALIDATION_DURATION_FIELD_NUMBER: _ClassVar[int]
    SET_NEW_VALIDATORS_DELAY_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_VALIDATION_CUTOFF_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_PRUNING_EPOCH_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    epoch_length: int
    epoch_shift: int
    poc_stage_duration: int
    poc_exchange_duration: int
    poc_validation_delay: int
    poc_validation_duration: int
    set_new_validators_delay: int
    inference_validation_cutoff: int
    inference_pruning_epoch_threshold: int
    def __init__(self, epoch_length: _Optional[int] = ..., epoch_shift: _Optional[int] = ..., poc_stage_duration: _Optional[int] = ..., poc_exchange_duration: _Optional[int] = ..., poc_validation_delay: _Optional[int] = ..., poc_validation_duration: _Optional[int] = ..., set_new_validators_delay: _Optional[int] = ..., inference_validation_cutoff: _Optional[int] = ..., inference_pruning_epoch_threshold: _Optional[int] = ...) -> None: ...

class BlockParams(_message.Message):
    __slots__ = ("max_bytes", "max_tx_bytes")
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_TX_BYTES_FIELD_NUMBER: _ClassVar[int]
    max_bytes: int
    max_tx_bytes: int
    def __init__(self, max_bytes: _Optional[int] = ..., max_tx_bytes: _Optional[int] = ...) -> None: ...

class Params(_message.Message):
    __slots__ = ("epoch", "block", "poc", "tokenomics", "collateral", "reputation", "inference", "validation", "pricing", "training")
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    BLOCK_FIELD_NUMBER: _ClassVar[int]
    POC_FIELD_NUMBER: _ClassVar[int]
    TOKENOMICS_FIELD_NUMBER: _ClassVar[int]
    COLLATERAL_FIELD_NUMBER: _ClassVar[int]
    REPUTATION_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    PRICING_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    epoch: EpochParams
    block: BlockParams
    poc: _poc_pb2.PocParams
    tokenomics: _settlement_pb2.TokenomicsParams
    collateral: _collateral_pb2.CollateralParams
    reputation: _settlement_pb2.ReputationParams
    inference: _inference_pb2.InferenceParams
    validation: _validation_pb2.ValidationParams
    pricing: _inference_pb2.PricingParams
    training: _training_tasks_pb2.TrainingParams
    def __init__(self, epoch: _Optional[_Union[EpochParams, _Mapping]] = ..., block: _Optional[_Union[BlockParams, _Mapping]] = ..., poc: _Optional[_Union[_poc_pb2.PocParams, _Mapping]] = ..., tokenomics: _Optional[_Union[_settlement_pb2.TokenomicsParams, _Mapping]] = ..., collateral: _Optional[_Union[_collateral_pb2.CollateralParams, _Mapping]] = ..., reputation: _Optional[_Union[_settlement_pb2.ReputationParams, _Mapping]] = ..., inference: _Optional[_Union[_inference_pb2.InferenceParams, _Mapping]] = ..., validation: _Optional[_Union[_validation_pb2.ValidationParams, _Mapping]] = ..., pricing: _Optional[_Union[_inference_pb2.PricingParams, _Mapping]] = ..., training: _Optional[_Union[_training_tasks_pb2.TrainingParams, _Mapping]] = ...) -> None: ...
