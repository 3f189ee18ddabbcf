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
from node.chain.app.inference.params import pricing_params, validate_inference_params
from node.chain.app.validation.params import validate_validation_params, validation_params
from node.proto.gonka.inference_pb2 import InferenceParams
from node.chain.app.params.economy import GNK, collateral_params, reputation_params, validate_economy_params
from node.chain.app.training.params import training_params, validate_training_params
from node.proto.gonka.params_pb2 import BlockParams, EpochParams, Params
from node.proto.gonka.poc_pb2 import PocParams
from node.proto.gonka.settlement_pb2 import TokenomicsParams

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
        inference=InferenceParams(expiration_blocks=20, default_max_tokens=5000),
        # 4-minute votes and a 60 s pricing window at ~5 s blocks.
        validation=validation_params(full_traffic_cutoff=10_000, min_traffic_cutoff=100, voting_period_blocks=48),
        pricing=pricing_params(grace_end_epoch=90, min_price=1, window_blocks=12, block_time_ms=5000),
        poc=PocParams(max_individual_power_ppm=250_000, max_nonces_per_batch=100_000),
        tokenomics=TokenomicsParams(
            initial_epoch_reward=323_000 * GNK,
            decay_rate_ppb=475_000,
            genesis_epoch=1,
            standard_reward_amount=680_000_000 * GNK,
        ),
        collateral=collateral_params(per_weight_unit_milli=4200),
        reputation=reputation_params(epochs_to_max=30),
        training=training_params(heartbeat_timeout_blocks=30, validation_period_blocks=720),
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
        inference=InferenceParams(expiration_blocks=7, default_max_tokens=5000),
        validation=validation_params(full_traffic_cutoff=100, min_traffic_cutoff=10, voting_period_blocks=10),
        pricing=pricing_params(grace_end_epoch=0, min_price=1000, window_blocks=12, block_time_ms=5000),
        # The reference code defaults (testermint does not override them), epochs_to_max 100.
        poc=PocParams(max_individual_power_ppm=250_000, max_nonces_per_batch=100_000),
        tokenomics=TokenomicsParams(
            initial_epoch_reward=285_000 * GNK,
            decay_rate_ppb=475_000,
            genesis_epoch=1,
            standard_reward_amount=600_000_000 * GNK,
        ),
        collateral=collateral_params(per_weight_unit_milli=1000),
        reputation=reputation_params(epochs_to_max=100),
        training=training_params(heartbeat_timeout_blocks=30, validation_period_blocks=100),
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
        # Devnet traffic is small: testermint's traffic cutoffs; votes close within ~10 s at ~1 s blocks.
        inference=InferenceParams(expiration_blocks=10, default_max_tokens=5000),
        validation=validation_params(full_traffic_cutoff=100, min_traffic_cutoff=10, voting_period_blocks=10),
        pricing=pricing_params(grace_end_epoch=0, min_price=1, window_blocks=10, block_time_ms=1000),
        # Rewards from epoch 0 (genesis_epoch 0), so the first settlement at block 29 already pays
        # 1000 GNK split over the genesis hosts, claimable from block 30 (api nodes claim at 31).
        poc=PocParams(max_individual_power_ppm=250_000, max_nonces_per_batch=10_000),
        tokenomics=TokenomicsParams(
            initial_epoch_reward=1000 * GNK,
            decay_rate_ppb=475_000,
            genesis_epoch=0,
            standard_reward_amount=600_000_000 * GNK,
        ),
        collateral=collateral_params(per_weight_unit_milli=1000),
        reputation=reputation_params(epochs_to_max=30),
        # Devnet blocks come every ~0.3-1 s: 30 blocks of silence drop a worker; validators get 300.
        training=training_params(heartbeat_timeout_blocks=30, validation_period_blocks=300),
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
    validate_inference_params(params.inference, params.pricing)
    validate_validation_params(params.validation)
    validate_economy_params(params)
    validate_training_params(params.training)
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
