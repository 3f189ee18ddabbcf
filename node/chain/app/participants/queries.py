"""Queries `participants` (all, by address) and `participant` {address}."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.participants.state import all_participants, get_participant
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, address_param, check_params


def query_participants(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, set())
    return {"participants": [to_jsonable(p) for p in all_participants(ctx.kv)]}


def query_participant(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    address = address_param(params)
    participant = get_participant(ctx.kv, address)
    if participant is None:
        raise QueryError("not_found", f"{address} is not a registered participant")
    return to_jsonable(participant)


QUERIES: dict[str, QueryHandler] = {"participants": query_participants, "participant": query_participant}
