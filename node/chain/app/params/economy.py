"""PoC, tokenomics, collateral and reputation params: shared defaults and validation.

The per-profile numbers are in profiles.py; these helpers fill in what every
profile shares with the reference defaults (protocol.md "Numbers to reuse").
"""

from __future__ import annotations

from node.proto.gonka.collateral_pb2 import CollateralParams
from node.proto.gonka.params_pb2 import Params
from node.proto.gonka.settlement_pb2 import ReputationParams

GNK = 10**9  # ngonka
PPM = 1_000_000


def collateral_params(per_weight_unit_milli: int) -> CollateralParams:
    return CollateralParams(
        slash_fraction_invalid_ppm=200_000,
        slash_fraction_downtime_ppm=100_000,
        downtime_missed_percentage_threshold_ppm=50_000,
        grace_period_end_epoch=180,
        base_weight_ratio_ppm=200_000,
        collateral_per_weight_unit_milli=per_weight_unit_milli,
        unbonding_period_epochs=1,
    )


def reputation_params(epochs_to_max: int) -> ReputationParams:
    return ReputationParams(
        epochs_to_max=epochs_to_max, miss_percentage_cutoff_ppm=10_000, miss_requests_penalty_ppm=PPM
    )


def validate_economy_params(params: Params) -> None:
    """Raise ValueError for values the PoC, settlement or collateral maths cannot use."""
    ratios = {
        "poc.max_individual_power_ppm": params.poc.max_individual_power_ppm,
        "collateral.slash_fraction_invalid_ppm": params.collateral.slash_fraction_invalid_ppm,
        "collateral.slash_fraction_downtime_ppm": params.collateral.slash_fraction_downtime_ppm,
        "collateral.downtime_missed_percentage_threshold_ppm": (
            params.collateral.downtime_missed_percentage_threshold_ppm
        ),
        "collateral.base_weight_ratio_ppm": params.collateral.base_weight_ratio_ppm,
    }
    for name, value in ratios.items():
        if value > PPM:
            raise ValueError(f"{name} is a ppm ratio and must be at most {PPM}")
    positive = {
        "poc.max_individual_power_ppm": params.poc.max_individual_power_ppm,
        "poc.max_nonces_per_batch": params.poc.max_nonces_per_batch,
        "collateral.collateral_per_weight_unit_milli": params.collateral.collateral_per_weight_unit_milli,
        "reputation.epochs_to_max": params.reputation.epochs_to_max,
    }
    for name, value in positive.items():
        if value < 1:
            raise ValueError(f"{name} must be at least 1")
