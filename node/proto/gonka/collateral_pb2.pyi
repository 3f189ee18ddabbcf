from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class CollateralParams(_message.Message):
    __slots__ = ("slash_fraction_invalid_ppm", "slash_fraction_downtime_ppm", "downtime_missed_percentage_threshold_ppm", "grace_period_end_epoch", "base_weight_ratio_ppm", "collateral_per_weight_unit_milli", "unbonding_period_epochs")
    SLASH_FRACTION_INVALID_PPM_FIELD_NUMBER: _ClassVar[int]
    SLASH_FRACTION_DOWNTIME_PPM_FIELD_NUMBER: _ClassVar[int]
    DOWNTIME_MISSED_PERCENTAGE_THRESHOLD_PPM_FIELD_NUMBER: _ClassVar[int]
    GRACE_PERIOD_END_EPOCH_FIELD_NUMBER: _ClassVar[int]
    BASE_WEIGHT_RATIO_PPM_FIELD_NUMBER: _ClassVar[int]
    COLLATERAL_PER_WEIGHT_UNIT_MILLI_FIELD_NUMBER: _ClassVar[int]
    UNBONDING_PERIOD_EPOCHS_FIELD_NUMBER: _ClassVar[int]
    slash_fraction_invalid_ppm: int
    slash_fraction_downtime_ppm: int
    downtime_missed_percentage_threshold_ppm: int
    grace_period_end_epoch: int
    base_weight_ratio_ppm: int
    collateral_per_weight_unit_milli: int
    unbonding_period_epochs: int
    def __init__(self, slash_fraction_invalid_ppm: _Optional[int] = ..., slash_fraction_downtime_ppm: _Optional[int] = ..., downtime_missed_percentage_threshold_ppm: _Optional[int] = ..., grace_period_end_epoch: _Optional[int] = ..., base_weight_ratio_ppm: _Optional[int] = ..., collateral_per_weight_unit_milli: _Optional[int] = ..., unbonding_period_epochs: _Optional[int] = ...) -> None: ...

class MsgDepositCollateral(_message.Message):
    __slots__ = ("creator", "amount")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    creator: str
    amount: int
    def __init__(self, creator: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class MsgWithdrawCollateral(_message.Message):
    __slots__ = ("creator", "amount")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    creator: str
    amount: int
    def __init__(self, creator: _Optional[str] = ..., amount: _Optional[int] = ...) -> None: ...

class UnbondingEntry(_message.Message):
    __slots__ = ("address", "completion_epoch", "amount")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_EPOCH_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    address: str
    completion_epoch: int
    amount: int
    def __init__(self, address: _Optional[str] = ..., completion_epoch: _Optional[int] = ..., amount: _Optional[int] = ...) -> None: ...
