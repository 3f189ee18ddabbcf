"""Named params profiles and genesis overrides.

- `mainnet`: the reference's mainnet genesis numbers (protocol.md, "Numbers to reuse").
- `testermint`: the reference integration-test cluster (epoch 15, PoC 2/1/1/2/1).
- `devnet`: a 40-block epoch for a laptop network at ~1 s blocks. The first
  PoC comes at block 20 (epoch_shift 20), so hosts have a few blocks to
  register first; then generation 20..24, batches until 26, validation 25..29,
  new validators at 30, claim at 31, the next PoC at 60.

Overrides are a nested dict mirroring the Params message, e.g.
{"epoch": {"epoch_length": 60}}; unknown names and non-integers are errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf.message import Message

from node.chain.app.encoding import U64_MAX
from node.chain.app.epochs.clock import validate_epoch_params
from node.proto.gonka.params_pb2 import BlockParams, EpochParams, Params

_MIB = 1 << 20


def _mainnet() -> Params:
    return Params(
        epoch=EpochParams(
            epoch_length=17280,
            epoch_shift=16980,
            poc_stage_duration=60,
            poc_exchange_duration=5,
            poc_validation_delay=5,
            poc_validation_duration=20,
            set_new_validators_delay=120,
            inference_validation_cutoff=80,
            inference_pruning_epoch_threshold=2,
        ),
        block=BlockParams(max_bytes=21 * _MIB, max_tx_bytes=_MIB),
    )


def _testermint() -> Params:
    return Params(
        epoch=EpochParams(
            epoch_length=15,
            epoch_shift=0,
            poc_stage_duration=2,
            poc_exchange_duration=1,
            poc_validation_delay=1,
            poc_validation_duration=2,
            set_new_validators_delay=1,
            inference_validation_cutoff=0,
            inference_pruning_epoch_threshold=2,
        ),
        block=BlockParams(max_bytes=4 * _MIB, max_tx_bytes=_MIB),
    )


def _devnet() -> Params:
    return Params(
        epoch=EpochParams(
            epoch_length=40,
            epoch_shift=20,
            poc_stage_duration=4,
            poc_exchange_duration=2,
            poc_validation_delay=1,
            poc_validation_duration=4,
            set_new_validators_delay=1,
            inference_validation_cutoff=2,
            inference_pruning_epoch_threshold=2,
        ),
        # Under gRPC's default 4 MiB message limit, so a block fits one message.
        block=BlockParams(max_bytes=3 * _MIB, max_tx_bytes=_MIB),
    )


PROFILES: dict[str, Callable[[], Params]] = {"devnet": _devnet, "mainnet": _mainnet, "testermint": _testermint}


def _apply(message: Message, overrides: Mapping[str, Any], path: str) -> None:
    if not isinstance(overrides, Mapping):
        raise ValueError(f"params override {path or 'root'} must be an object")
    for name, value in overrides.items():
        field = message.DESCRIPTOR.fields_by_name.get(name)
        where = f"{path}{name}"
        if field is None:
            raise ValueError(f"unknown params field {where!r}")
        if field.message_type is not None:
            _apply(getattr(message, name), value, where + ".")
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U64_MAX:
            raise ValueError(f"params field {where!r} must be a non-negative integer, got {value!r}")
        else:
            setattr(message, name, value)


def validate_params(params: Params) -> None:
    validate_epoch_params(params.epoch)
    if params.block.max_tx_bytes < 1 or params.block.max_bytes < params.block.max_tx_bytes:
        raise ValueError("block.max_tx_bytes must be at least 1 and at most block.max_bytes")


def resolve_params(profile: str, overrides: Mapping[str, Any]) -> Params:
    """The profile's params with overrides applied; ValueError if the result is unusable."""
    factory = PROFILES.get(profile)
    if factory is None:
        raise ValueError(f"unknown params profile {profile!r}; choose one of {sorted(PROFILES)}")
    params = factory()
    _apply(params, overrides, "")
    validate_params(params)
    return params
