"""Queries `poc_batches` and `poc_validations` {epoch? | poc_start_height?} (default: the latest epoch's PoC)."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.epochs.state import epoch_by_poc_start, get_epoch, latest_epoch
from node.chain.app.poc.state import batches, validations
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, check_params, int_param


def _poc_start(ctx: QueryContext, params: dict[str, Any]) -> tuple[int, int]:
    """(epoch index, P) named by the params."""
    check_params(params, {"epoch", "poc_start_height"})
    if "epoch" in params and "poc_start_height" in params:
        raise QueryError("invalid_argument", "give epoch or poc_start_height, not both")
    if "poc_start_height" in params:
        height = int_param(params, "poc_start_height")
        found = epoch_by_poc_start(ctx.kv, height)
        if found is None:
            raise QueryError("not_found", f"no epoch has its PoC start at height {height}")
        return found.index, height
    index = int_param(params, "epoch") if "epoch" in params else latest_epoch(ctx.kv).index
    epoch = get_epoch(ctx.kv, index)
    if epoch is None or index == 0:
        raise QueryError("not_found", f"epoch {index} has no PoC")
    return index, epoch.poc_start_block_height


def query_poc_batches(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    index, poc_start = _poc_start(ctx, params)
    found = batches(ctx.kv, poc_start)
    return {
        "epoch_index": index,
        "poc_start_height": poc_start,
        "batches": [to_jsonable(batch) | {"nonce_count": len(batch.nonces)} for batch in found],
    }


def query_poc_validations(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    index, poc_start = _poc_start(ctx, params)
    return {
        "epoch_index": index,
        "poc_start_height": poc_start,
        "validations": [to_jsonable(validation) for validation in validations(ctx.kv, poc_start)],
    }


QUERIES: dict[str, QueryHandler] = {"poc_batches": query_poc_batches, "poc_validations": query_poc_validations}
