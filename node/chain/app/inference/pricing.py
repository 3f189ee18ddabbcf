"""Dynamic per-model token price (reference protocol.md §4, keeper/dynamic_pricing.go), in integers.

Every block, for each model in the registry (unused ones decay to the floor):

    u = tokens completed in the last `utilization_window_blocks` blocks
        / (capacity tokens/s * window blocks * expected block time)
    u in [lower, upper]: unchanged
    u < lower: price * (1 - min((lower - u) * elasticity, 2 %))   (floor)
    u > upper: price * (1 + min((u - upper) * elasticity, 2 %))   (floor)
    never below min_per_token_price.

Capacity is the current epoch group's total weight read as tokens/s (the
reference uses the model's sub-group), or the default while it is 0. While
the epoch is below grace_period_end_epoch every price is the grace price.
Departure: the reference's 60 s window is a window of blocks here. Prices are
integer ngonka truncated like the reference's uint64 conversion, so a price
under 50 cannot rise by a 2 % step and small prices fall a little faster.

Keys:
    inference/price/<model>                  ModelPrice
    inference/usage/<model>\\x00<u64 height>  u64 tokens of inferences completed at that height
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.context import BlockContext
from node.chain.app.encoding import decode_u64, encode_u64, load_proto, store_proto
from node.chain.app.epochs import group
from node.chain.app.models.state import all_models
from node.chain.store.overlay import KVReader, Overlay
from node.proto.gonka.inference_pb2 import ModelPrice, PricingParams

PPM = 1_000_000
MAX_STEP_PPM = 20_000  # the reference clamps each block's change to +-2 %
_MS_PER_SECOND = 1000

PRICE_PREFIX = b"inference/price/"
USAGE_PREFIX = b"inference/usage/"
_SEPARATOR = b"\x00"  # model ids never contain NUL (checked on Start/Finish)


def _step_ppm(distance_ppm: int, params: PricingParams) -> int:
    return min(distance_ppm * params.price_elasticity_ppm // PPM, MAX_STEP_PPM)


def next_price(price: int, utilization_ppm: int, params: PricingParams) -> int:
    if utilization_ppm < params.stability_zone_lower_ppm:
        price = price * (PPM - _step_ppm(params.stability_zone_lower_ppm - utilization_ppm, params)) // PPM
    elif utilization_ppm > params.stability_zone_upper_ppm:
        price = price * (PPM + _step_ppm(utilization_ppm - params.stability_zone_upper_ppm, params)) // PPM
    return max(price, params.min_per_token_price)


def get_model_price(kv: KVReader, model: str) -> ModelPrice | None:
    return load_proto(kv, PRICE_PREFIX + model.encode(), ModelPrice)


def current_price(kv: KVReader, params: PricingParams, model: str, epoch: int) -> int:
    """The per-token price a new inference of `model` locks now."""
    if epoch < params.grace_period_end_epoch:
        return params.grace_period_per_token_price
    stored = get_model_price(kv, model)
    return params.base_per_token_price if stored is None else stored.per_token_price


def record_usage(kv: Overlay, model: str, height: int, tokens: int) -> None:
    key = USAGE_PREFIX + model.encode() + _SEPARATOR + encode_u64(height)
    raw = kv.get(key)
    kv.set(key, encode_u64((0 if raw is None else decode_u64(raw)) + tokens))


def _window_usage(kv: Overlay, since_height: int) -> dict[str, int]:
    """Tokens per model at heights >= since_height; older entries are deleted."""
    usage: dict[str, int] = {}
    for key, value in kv.prefix_items(USAGE_PREFIX):
        rest = key[len(USAGE_PREFIX) :]
        model, height = rest[:-9].decode(), decode_u64(rest[-8:])  # <model> NUL <u64 height>
        if height < since_height:
            kv.delete(key)
        else:
            usage[model] = usage.get(model, 0) + decode_u64(value)
    return usage


def _window_capacity(kv: KVReader, params: PricingParams, epoch: int) -> int:
    tokens_per_second = group.total_weight(kv, epoch) or params.default_capacity_tokens_per_second
    window_ms = params.utilization_window_blocks * params.expected_block_time_ms
    return max(1, tokens_per_second * window_ms // _MS_PER_SECOND)


def update_prices(ctx: BlockContext, kv: Overlay) -> list[Event]:
    """Begin-block hook: move every registry model's price one step (reference BeginBlock)."""
    params = ctx.params.pricing
    epoch = group.current_epoch_index(kv)
    usage = _window_usage(kv, max(0, ctx.height - params.utilization_window_blocks))
    if epoch < params.grace_period_end_epoch:
        return []
    capacity = _window_capacity(kv, params, epoch)
    for model in (entry.id for entry in all_models(kv)):
        utilization = usage.get(model, 0) * PPM // capacity
        price = next_price(current_price(kv, params, model, epoch), utilization, params)
        store_proto(
            kv,
            PRICE_PREFIX + model.encode(),
            ModelPrice(model=model, per_token_price=price, utilization_ppm=utilization, updated_height=ctx.height),
        )
    return []
