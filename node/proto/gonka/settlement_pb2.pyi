from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class TokenomicsParams(_message.Message):
    __slots__ = ("initial_epoch_reward", "decay_rate_ppb", "genesis_epoch", "standard_reward_amount")
    INITIAL_EPOCH_REWARD_FIELD_NUMBER: _ClassVar[int]
    DECAY_RATE_PPB_FIELD_NUMBER: _ClassVar[int]
    GENESIS_EPOCH_FIELD_NUMBER: _ClassVar[int]
    STANDARD_REWARD_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    initial_epoch_reward: int
    decay_rate_ppb: int
    genesis_epoch: int
    standard_reward_amount: int
    def __init__(self, initial_epoch_reward: _Optional[int] = ..., decay_rate_ppb: _Optional[int] = ..., genesis_epoch: _Optional[int] = ..., standard_reward_amount: _Optional[int] = ...) -> None: ...

class ReputationParams(_message.Message):
    __slots__ = ("epochs_to_max", "miss_percentage_cutoff_ppm", "miss_requests_penalty_ppm")
    EPOCHS_TO_MAX_FIELD_NUMBER: _ClassVar[int]
    MISS_PERCENTAGE_CUTOFF_PPM_FIELD_NUMBER: _ClassVar[int]
    MISS_REQUESTS_PENALTY_PPM_FIELD_NUMBER: _ClassVar[int]
    epochs_to_max: int
    miss_percentage_cutoff_ppm: int
    miss_requests_penalty_ppm: int
    def __init__(self, epochs_to_max: _Optional[int] = ..., miss_percentage_cutoff_ppm: _Optional[int] = ..., miss_requests_penalty_ppm: _Optional[int] = ...) -> None: ...

class MsgClaimRewards(_message.Message):
    __slots__ = ("creator", "epoch_index", "seed")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    EPOCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    creator: str
    epoch_index: int
    seed: int
    def __init__(self, creator: _Optional[str] = ..., epoch_index: _Optional[int] = ..., seed: _Optional[int] = ...) -> None: ...

class SettleAmount(_message.Message):
    __slots__ = ("participant", "epoch_index", "work_coins", "reward_coins", "seed_signature")
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    EPOCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    WORK_COINS_FIELD_NUMBER: _ClassVar[int]
    REWARD_COINS_FIELD_NUMBER: _ClassVar[int]
    SEED_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    participant: str
    epoch_index: int
    work_coins: int
    reward_coins: int
    seed_signature: str
    def __init__(self, participant: _Optional[str] = ..., epoch_index: _Optional[int] = ..., work_coins: _Optional[int] = ..., reward_coins: _Optional[int] = ..., seed_signature: _Optional[str] = ...) -> None: ...

class EpochPerformanceSummary(_message.Message):
    __slots__ = ("participant", "epoch_index", "inference_count", "missed_requests", "weight", "work_coins", "reward_coins", "forfeited")
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    EPOCH_INDEX_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    MISSED_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    WORK_COINS_FIELD_NUMBER: _ClassVar[int]
    REWARD_COINS_FIELD_NUMBER: _ClassVar[int]
    FORFEITED_FIELD_NUMBER: _ClassVar[int]
    participant: str
    epoch_index: int
    inference_count: int
    missed_requests: int
    weight: int
    work_coins: int
    reward_coins: int
    forfeited: bool
    def __init__(self, participant: _Optional[str] = ..., epoch_index: _Optional[int] = ..., inference_count: _Optional[int] = ..., missed_requests: _Optional[int] = ..., weight: _Optional[int] = ..., work_coins: _Optional[int] = ..., reward_coins: _Optional[int] = ..., forfeited: _Optional[bool] = ...) -> None: ...
