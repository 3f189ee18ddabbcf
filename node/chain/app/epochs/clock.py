"""The epoch clock: pure functions from epoch params and heights to PoC stages and phases.

Follows reference protocol.md §1. With P the PoC start height of an epoch:

    generation           P .. P+stage             wind-down from P + floor(0.8*stage)
    batch window         P+1 .. P+stage+exchange  (inclusive; MsgSubmitPocBatch only here)
    validation           V = P+stage+delay .. E = V+validation, wind-down from V + floor(0.8*validation)
    validation window    V+1 .. E                 (inclusive)
    epoch formation      E (end of PoC validation)
    set new validators   E + set_new_validators_delay
    claim money          set new validators + 1
    next PoC start       P + epoch_length; for epoch 0 (no PoC): epoch_length - epoch_shift
    validation cutoff    next PoC start - inference_validation_cutoff

Phases are half-open: PoCGenerate [P, wind-down), PoCGenerateWindDown up to V
(the exchange gap counts as wind-down), PoCValidate [V, its wind-down),
PoCValidateWindDown up to E, and Inference everywhere else, epoch 0 included.
All arithmetic is on integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from node.proto.gonka.params_pb2 import EpochParams

# The reference's wind-down factor 0.8, as an exact fraction.
_WIND_DOWN_NUM, _WIND_DOWN_DEN = 4, 5


class Phase(StrEnum):
    POC_GENERATE = "PoCGenerate"
    POC_GENERATE_WIND_DOWN = "PoCGenerateWindDown"
    POC_VALIDATE = "PoCValidate"
    POC_VALIDATE_WIND_DOWN = "PoCValidateWindDown"
    INFERENCE = "Inference"


@dataclass(frozen=True)
class Window:
    """An inclusive range of heights."""

    start: int
    end: int

    def contains(self, height: int) -> bool:
        return self.start <= height <= self.end


@dataclass(frozen=True)
class EpochStages:
    """Absolute heights of one epoch's stage boundaries (fields in chronological order)."""

    poc_start: int
    poc_generation_wind_down: int
    poc_generation_end: int
    poc_validation_start: int
    poc_validation_wind_down: int
    poc_validation_end: int
    set_new_validators: int
    claim_money: int
    inference_validation_cutoff: int
    next_poc_start: int
    batch_window: Window
    validation_window: Window

    def boundaries_at(self, height: int) -> list[str]:
        """Names of the stage boundaries that fall on `height`, in chronological order."""
        return [name for name in STAGE_NAMES if getattr(self, name) == height]

    def phase(self, height: int) -> Phase:
        if height < self.poc_start:
            return Phase.INFERENCE
        if height < self.poc_generation_wind_down:
            return Phase.POC_GENERATE
        if height < self.poc_validation_start:
            return Phase.POC_GENERATE_WIND_DOWN
        if height < self.poc_validation_wind_down:
            return Phase.POC_VALIDATE
        if height < self.poc_validation_end:
            return Phase.POC_VALIDATE_WIND_DOWN
        return Phase.INFERENCE


# Boundaries that emit an `epoch_stage` event when the chain reaches them.
STAGE_NAMES = (
    "poc_start",
    "poc_generation_wind_down",
    "poc_generation_end",
    "poc_validation_start",
    "poc_validation_wind_down",
    "poc_validation_end",
    "set_new_validators",
    "claim_money",
    "inference_validation_cutoff",
)

_POSITIVE = (
    "epoch_length",
    "poc_stage_duration",
    "poc_exchange_duration",
    "poc_validation_delay",
    "poc_validation_duration",
    "set_new_validators_delay",
)


def validate_epoch_params(params: EpochParams) -> None:
    """Raise ValueError unless one epoch's stages fit in order inside epoch_length."""
    for name in _POSITIVE:
        if getattr(params, name) < 1:
            raise ValueError(f"epoch.{name} must be at least 1")
    if params.epoch_shift >= params.epoch_length:
        raise ValueError("epoch.epoch_shift must be below epoch.epoch_length")
    claim_offset = _claim_offset(params)
    if claim_offset >= params.epoch_length:
        raise ValueError(f"the PoC stages end at offset {claim_offset}, not inside epoch_length {params.epoch_length}")
    if params.inference_validation_cutoff >= params.epoch_length - claim_offset:
        raise ValueError("epoch.inference_validation_cutoff must fall after the claim stage")


def _validation_start_offset(params: EpochParams) -> int:
    return params.poc_stage_duration + params.poc_validation_delay


def _claim_offset(params: EpochParams) -> int:
    end_of_validation = _validation_start_offset(params) + params.poc_validation_duration
    return end_of_validation + params.set_new_validators_delay + 1


def first_poc_start(params: EpochParams) -> int:
    return params.epoch_length - params.epoch_shift


def next_poc_start(params: EpochParams, epoch_index: int, poc_start: int) -> int:
    """When the epoch after (epoch_index, poc_start) begins its PoC."""
    if epoch_index == 0:
        return first_poc_start(params)
    return poc_start + params.epoch_length


def stages(params: EpochParams, poc_start: int) -> EpochStages:
    p = poc_start
    validation_start = p + _validation_start_offset(params)
    validation_end = validation_start + params.poc_validation_duration
    set_new_validators = validation_end + params.set_new_validators_delay
    next_start = p + params.epoch_length
    return EpochStages(
        poc_start=p,
        poc_generation_wind_down=p + params.poc_stage_duration * _WIND_DOWN_NUM // _WIND_DOWN_DEN,
        poc_generation_end=p + params.poc_stage_duration,
        poc_validation_start=validation_start,
        poc_validation_wind_down=validation_start + params.poc_validation_duration * _WIND_DOWN_NUM // _WIND_DOWN_DEN,
        poc_validation_end=validation_end,
        set_new_validators=set_new_validators,
        claim_money=set_new_validators + 1,
        inference_validation_cutoff=next_start - params.inference_validation_cutoff,
        next_poc_start=next_start,
        batch_window=Window(p + 1, p + params.poc_stage_duration + params.poc_exchange_duration),
        validation_window=Window(validation_start + 1, validation_end),
    )


def epoch_index_at(params: EpochParams, height: int) -> int:
    """The epoch (latest PoC start) at `height`, for params that never changed."""
    first = first_poc_start(params)
    if height < first:
        return 0
    return (height - first) // params.epoch_length + 1


def poc_start_of(params: EpochParams, epoch_index: int) -> int:
    """P of epoch `epoch_index` >= 1, for params that never changed."""
    if epoch_index < 1:
        raise ValueError("epoch 0 has no PoC")
    return first_poc_start(params) + (epoch_index - 1) * params.epoch_length


def phase_at(params: EpochParams, height: int) -> Phase:
    index = epoch_index_at(params, height)
    if index == 0:
        return Phase.INFERENCE
    return stages(params, poc_start_of(params, index)).phase(height)
