"""Which finished inferences a validator must validate (reference protocol.md §5, should_validate.go).

The chain (claim-time enforcement) and every api node (validation scheduling)
call `should_validate`, so it uses integers only and both reach the same verdict:

    minAvg(traffic) = ValidationParams.min_validation_average_ppm at traffic >= full cutoff;
                      linear from halfway_ppm down to min between full/2 and full;
                      linear from max down to halfway_ppm between the min-traffic cutoff and full/2;
                      max below the min-traffic cutoff                                   (ppm, floor)
    target = minAvg + (maxAvg - minAvg) * (100 - reputation) / 100                        (ppm, floor)
    p      = min(1, target * validator_power / (total_power - executor_power))           (exact fraction)
    r      = first 8 bytes of SHA-256("{seed}:{inference_id}") big-endian / (2^64 - 1)
    validate iff r < p (compared exactly by cross-multiplication); never one's own
    inference, and nothing when total_power <= executor_power.

The reference computes in float64; the ppm floors here differ from it by at
most 1 ppm of the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from node.core.hashing import sha256
from node.proto.gonka.validation_pb2 import ValidationParams

PPM = 1_000_000
MAX_REPUTATION = 100
_DRAW_MAX = (1 << 64) - 1


@dataclass(frozen=True)
class FinishedInference:
    """What the `inference_finished` event (and the chain's record) says about an inference."""

    inference_id: str
    executor: str
    executor_power: int
    executor_reputation: int  # 0..100
    total_power: int
    traffic_basis: int

    @classmethod
    def from_event(cls, attributes: Mapping[str, str]) -> FinishedInference:
        """From the attributes (strings) of an `inference_finished` event."""
        return cls(
            inference_id=attributes["inference_id"],
            executor=attributes["executor"],
            executor_power=int(attributes["executor_power"]),
            executor_reputation=int(attributes["executor_reputation"]),
            total_power=int(attributes["total_power"]),
            traffic_basis=int(attributes["traffic_basis"]),
        )


def _interpolate(x: int, x0: int, x1: int, y0: int, y1: int) -> int:
    if x1 <= x0:
        return y1
    return y0 + (y1 - y0) * (x - x0) // (x1 - x0)  # Python floor division


def min_validation_average_ppm(traffic_basis: int, params: ValidationParams) -> int:
    full = params.full_validation_traffic_cutoff
    halfway = full // 2
    if traffic_basis >= full:
        return params.min_validation_average_ppm
    if traffic_basis >= halfway:
        return _interpolate(
            traffic_basis, halfway, full, params.min_validation_halfway_ppm, params.min_validation_average_ppm
        )
    if traffic_basis >= params.min_validation_traffic_cutoff:
        return _interpolate(
            traffic_basis,
            params.min_validation_traffic_cutoff,
            halfway,
            params.max_validation_average_ppm,
            params.min_validation_halfway_ppm,
        )
    return params.max_validation_average_ppm


def target_validations_ppm(traffic_basis: int, reputation: int, params: ValidationParams) -> int:
    """Expected number of validators per inference, in ppm."""
    low = min_validation_average_ppm(traffic_basis, params)
    distrust = MAX_REPUTATION - min(max(reputation, 0), MAX_REPUTATION)
    return low + (params.max_validation_average_ppm - low) * distrust // MAX_REPUTATION


def validation_probability(
    validator_power: int, inference: FinishedInference, params: ValidationParams
) -> tuple[int, int]:
    """p as an exact fraction (numerator, denominator), capped at 1; (0, 1) when nobody else has power."""
    others = inference.total_power - inference.executor_power
    if others <= 0 or validator_power <= 0:
        return 0, 1
    numerator = target_validations_ppm(inference.traffic_basis, inference.executor_reputation, params) * validator_power
    denominator = PPM * others
    return min(numerator, denominator), denominator


def draw(seed: int, inference_id: str) -> int:
    """r scaled to 0..2^64-1: the first 8 bytes of SHA-256("{seed}:{inference_id}"), big-endian."""
    return int.from_bytes(sha256(f"{seed}:{inference_id}".encode())[:8], "big")


def should_validate(
    seed: int, validator: str, validator_power: int, inference: FinishedInference, params: ValidationParams
) -> bool:
    if validator == inference.executor:
        return False
    numerator, denominator = validation_probability(validator_power, inference, params)
    # r < p  <=>  draw / (2^64 - 1) < numerator / denominator
    return draw(seed, inference.inference_id) * denominator < numerator * _DRAW_MAX
