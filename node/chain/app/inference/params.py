"""PricingParams for the profiles, and sanity rules for InferenceParams and PricingParams."""

from __future__ import annotations

from node.proto.gonka.inference_pb2 import InferenceParams, PricingParams


def pricing_params(grace_end_epoch: int, min_price: int, window_blocks: int, block_time_ms: int) -> PricingParams:
    """Reference dynamic pricing: zone 0.40-0.60, elasticity 0.05, base 1000 (v1_18), capacity 1000 tokens/s."""
    return PricingParams(
        grace_period_end_epoch=grace_end_epoch,
        grace_period_per_token_price=0,
        base_per_token_price=1000,
        min_per_token_price=min_price,
        stability_zone_lower_ppm=400_000,
        stability_zone_upper_ppm=600_000,
        price_elasticity_ppm=50_000,
        utilization_window_blocks=window_blocks,
        expected_block_time_ms=block_time_ms,
        default_capacity_tokens_per_second=1000,
    )


def validate_inference_params(inference: InferenceParams, pricing: PricingParams) -> None:
    """Raise ValueError if the params would stall or break the inference module."""
    if inference.expiration_blocks < 1 or inference.default_max_tokens < 1:
        raise ValueError("inference.expiration_blocks and inference.default_max_tokens must be at least 1")
    if not pricing.stability_zone_lower_ppm <= pricing.stability_zone_upper_ppm:
        raise ValueError("pricing.stability_zone_lower_ppm must not exceed pricing.stability_zone_upper_ppm")
    if pricing.utilization_window_blocks < 1 or pricing.expected_block_time_ms < 1:
        raise ValueError("pricing.utilization_window_blocks and pricing.expected_block_time_ms must be at least 1")
    if pricing.default_capacity_tokens_per_second < 1:
        raise ValueError("pricing.default_capacity_tokens_per_second must be at least 1")
    if pricing.base_per_token_price < pricing.min_per_token_price:
        raise ValueError("pricing.base_per_token_price must be at least pricing.min_per_token_price")
