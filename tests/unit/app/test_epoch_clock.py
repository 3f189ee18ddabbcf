"""The pure epoch clock against reference protocol.md §1 (worked mainnet example) and the devnet profile."""

import pytest

from node.chain.app.epochs.clock import (
    Phase,
    Window,
    epoch_index_at,
    first_poc_start,
    next_poc_start,
    phase_at,
    poc_start_of,
    stages,
    validate_epoch_params,
)
from node.chain.app.params.profiles import PROFILES, resolve_params
from node.proto.gonka.params_pb2 import EpochParams

MAINNET = resolve_params("mainnet", {}).epoch
DEVNET = resolve_params("devnet", {}).epoch
TESTERMINT = resolve_params("testermint", {}).epoch


def test_mainnet_worked_example() -> None:
    P = 1_000_000
    s = stages(MAINNET, P)
    assert (s.poc_start, s.poc_generation_end, s.poc_generation_wind_down) == (P, P + 60, P + 48)
    assert s.batch_window == Window(P + 1, P + 65)
    assert (s.poc_validation_start, s.poc_validation_end, s.poc_validation_wind_down) == (P + 65, P + 85, P + 81)
    assert s.validation_window == Window(P + 66, P + 85)
    assert s.poc_validation_end == P + 85  # epoch formation
    assert (s.set_new_validators, s.claim_money) == (P + 205, P + 206)
    assert s.inference_validation_cutoff == P + 17280 - 80
    assert s.next_poc_start == P + 17280


def test_mainnet_first_poc_is_at_300() -> None:
    assert first_poc_start(MAINNET) == 300
    assert next_poc_start(MAINNET, 0, 0) == 300
    assert next_poc_start(MAINNET, 1, 300) == 300 + 17280
    assert [epoch_index_at(MAINNET, h) for h in (0, 299, 300, 17579, 17580)] == [0, 0, 1, 1, 2]
    assert poc_start_of(MAINNET, 2) == 17580


# (height offset from P, phase) across every boundary of one mainnet epoch.
MAINNET_PHASES = [
    (-1, Phase.INFERENCE),
    (0, Phase.POC_GENERATE),
    (47, Phase.POC_GENERATE),
    (48, Phase.POC_GENERATE_WIND_DOWN),
    (60, Phase.POC_GENERATE_WIND_DOWN),
    (64, Phase.POC_GENERATE_WIND_DOWN),
    (65, Phase.POC_VALIDATE),
    (80, Phase.POC_VALIDATE),
    (81, Phase.POC_VALIDATE_WIND_DOWN),
    (84, Phase.POC_VALIDATE_WIND_DOWN),
    (85, Phase.INFERENCE),
    (205, Phase.INFERENCE),
    (17279, Phase.INFERENCE),
    (17280, Phase.POC_GENERATE),
]


@pytest.mark.parametrize(("offset", "phase"), MAINNET_PHASES)
def test_mainnet_phases(offset: int, phase: Phase) -> None:
    assert phase_at(MAINNET, 300 + offset) == phase


def test_epoch_zero_is_all_inference() -> None:
    assert {phase_at(MAINNET, h) for h in range(0, 300)} == {Phase.INFERENCE}
    with pytest.raises(ValueError):
        poc_start_of(MAINNET, 0)


def test_devnet_stages() -> None:
    assert first_poc_start(DEVNET) == 20
    s = stages(DEVNET, 20)
    assert s.boundaries_at(20) == ["poc_start"]
    assert (s.poc_generation_wind_down, s.poc_generation_end) == (23, 24)
    assert s.batch_window == Window(21, 26)
    assert (s.poc_validation_start, s.poc_validation_wind_down, s.poc_validation_end) == (25, 28, 29)
    assert s.validation_window == Window(26, 29)
    assert (s.set_new_validators, s.claim_money, s.inference_validation_cutoff, s.next_poc_start) == (30, 31, 58, 60)
    assert [phase_at(DEVNET, h) for h in (19, 20, 23, 25, 28, 29, 59, 60)] == [
        Phase.INFERENCE,
        Phase.POC_GENERATE,
        Phase.POC_GENERATE_WIND_DOWN,
        Phase.POC_VALIDATE,
        Phase.POC_VALIDATE_WIND_DOWN,
        Phase.INFERENCE,
        Phase.INFERENCE,
        Phase.POC_GENERATE,
    ]


def test_testermint_stages_and_coinciding_boundaries() -> None:
    s = stages(TESTERMINT, 15)
    assert first_poc_start(TESTERMINT) == 15
    assert (s.poc_generation_end, s.poc_validation_start, s.poc_validation_end) == (17, 18, 20)
    assert (s.set_new_validators, s.claim_money) == (21, 22)
    # inference_validation_cutoff 0 puts the cutoff on the next PoC start.
    assert s.inference_validation_cutoff == s.next_poc_start == 30
    one_block_stage = EpochParams(
        epoch_length=10,
        poc_stage_duration=1,
        poc_exchange_duration=1,
        poc_validation_delay=1,
        poc_validation_duration=1,
        set_new_validators_delay=1,
    )
    # floor(0.8 * 1) = 0: wind-down starts with the stage itself.
    assert stages(one_block_stage, 10).boundaries_at(10) == ["poc_start", "poc_generation_wind_down"]


def test_window_is_inclusive() -> None:
    window = Window(5, 7)
    assert [window.contains(h) for h in (4, 5, 7, 8)] == [False, True, True, False]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epoch_length": 0}, "epoch_length"),
        ({"poc_stage_duration": 0}, "poc_stage_duration"),
        ({"poc_validation_duration": 0}, "poc_validation_duration"),
        ({"epoch_shift": 40}, "epoch_shift"),
        ({"epoch_length": 11, "epoch_shift": 0}, "not inside epoch_length"),
        ({"inference_validation_cutoff": 29}, "inference_validation_cutoff"),
    ],
)
def test_invalid_epoch_params(change: dict[str, int], message: str) -> None:
    params = EpochParams()
    params.CopyFrom(DEVNET)
    for name, value in change.items():
        setattr(params, name, value)
    with pytest.raises(ValueError, match=message):
        validate_epoch_params(params)


def test_every_profile_is_valid() -> None:
    for name in PROFILES:
        validate_epoch_params(resolve_params(name, {}).epoch)
