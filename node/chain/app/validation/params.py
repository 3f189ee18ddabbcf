"""ValidationParams for the profiles, and their sanity rules."""

from __future__ import annotations

from node.core.validation_policy import PPM
from node.proto.gonka.validation_pb2 import ValidationParams


def validation_params(full_traffic_cutoff: int, min_traffic_cutoff: int, voting_period_blocks: int) -> ValidationParams:
    """Reference §5 numbers; the traffic cutoffs and the voting period (4 min in the reference) vary."""
    return ValidationParams(
        false_positive_rate_ppm=50_000,
        min_ramp_up_measurements=10,
        min_validation_average_ppm=10_000,
        max_validation_average_ppm=1_000_000,
        min_validation_halfway_ppm=50_000,
        full_validation_traffic_cutoff=full_traffic_cutoff,
        min_validation_traffic_cutoff=min_traffic_cutoff,
        voting_period_blocks=voting_period_blocks,
    )


def validate_validation_params(params: ValidationParams) -> None:
    if not 0 < params.false_positive_rate_ppm < PPM:
        raise ValueError("validation.false_positive_rate_ppm must be between 0 and 1000000 (exclusive)")
    averages = (
        params.min_validation_average_ppm,
        params.min_validation_halfway_ppm,
        params.max_validation_average_ppm,
    )
    if list(averages) != sorted(averages):
        raise ValueError("validation averages must satisfy min <= halfway <= max")
    if not params.min_validation_traffic_cutoff <= params.full_validation_traffic_cutoff // 2:
        raise ValueError("validation.min_validation_traffic_cutoff must not exceed full_validation_traffic_cutoff / 2")
    if params.voting_period_blocks < 1:
        raise ValueError("validation.voting_period_blocks must be at least 1")
