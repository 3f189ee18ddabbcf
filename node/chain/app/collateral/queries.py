"""Query `collateral` {address}: active and unbonding collateral."""

from __future__ import annotations

from typing import Any

from node.chain.app.collateral.state import active_collateral, unbonding_entries
from node.chain.app.encoding import to_jsonable
from node.chain.app.queries import QueryContext, QueryHandler, address_param


def query_collateral(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    address = address_param(params)
    unbonding = unbonding_entries(ctx.kv, address)
    return {
        "address": address,
        "active": active_collateral(ctx.kv, address),
        "unbonding": [to_jsonable(entry) for entry in unbonding],
        "total": active_collateral(ctx.kv, address) + sum(entry.amount for entry in unbonding),
    }


QUERIES: dict[str, QueryHandler] = {"collateral": query_collateral}
