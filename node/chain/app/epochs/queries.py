"""Queries `epoch` {height?}: the epoch, phase and stage heights at a height (default: the last
committed); `epoch_group` {epoch?}: a group's members, weights and seed commits (default: the
effective epoch)."""

from __future__ import annotations

import dataclasses
from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.epochs.clock import Phase, next_poc_start, stages
from node.chain.app.epochs.group import current_epoch_index, get_group, member_records, seed_committers
from node.chain.app.epochs.state import epoch_at
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, check_params, int_param


def query_epoch(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    height = check_params(params, {"height"}).get("height", ctx.last_height)
    if isinstance(height, bool) or not isinstance(height, int) or height < 0:
        raise QueryError("invalid_argument", f"height must be a non-negative integer, got {height!r}")
    epoch_params = ctx.params.epoch
    epoch = epoch_at(ctx.kv, epoch_params, height)
    result: dict[str, Any] = {
        "height": height,
        "epoch_index": epoch.index,
        "effective_epoch_index": epoch.index,
        "poc_start_height": None,
        "phase": Phase.INFERENCE.value,
        "next_poc_start_height": next_poc_start(epoch_params, epoch.index, epoch.poc_start_block_height),
        "stages": None,
    }
    if epoch.index > 0:
        epoch_stages = stages(epoch_params, epoch.poc_start_block_height)
        result |= {
            # The upcoming epoch's validators take over at its set-new-validators block.
            "effective_epoch_index": epoch.index - 1 if height < epoch_stages.set_new_validators else epoch.index,
            "poc_start_height": epoch.poc_start_block_height,
            "phase": epoch_stages.phase(height).value,
            "stages": dataclasses.asdict(epoch_stages),
        }
    return result


def query_epoch_group(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, {"epoch"})
    epoch = int_param(params, "epoch") if "epoch" in params else current_epoch_index(ctx.kv)
    group = get_group(ctx.kv, epoch)
    if group is None:
        raise QueryError("not_found", f"epoch {epoch} has no group (yet)")
    return to_jsonable(group) | {
        "effective": epoch == current_epoch_index(ctx.kv),
        "members": [to_jsonable(member) for member in member_records(ctx.kv, epoch)],
        "seed_commits": seed_committers(ctx.kv, epoch),
    }


QUERIES: dict[str, QueryHandler] = {"epoch": query_epoch, "epoch_group": query_epoch_group}
