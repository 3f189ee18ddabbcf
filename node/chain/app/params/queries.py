"""Query `params`: the chain parameters in force."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.queries import QueryContext, QueryHandler, check_params


def query_params(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, set())
    return to_jsonable(ctx.params)


QUERIES: dict[str, QueryHandler] = {"params": query_params}
