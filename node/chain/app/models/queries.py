"""Query `models`: the registry, ordered by id."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.models.state import all_models
from node.chain.app.queries import QueryContext, QueryHandler, check_params


def query_models(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, set())
    return {"models": [to_jsonable(model) for model in all_models(ctx.kv)]}


QUERIES: dict[str, QueryHandler] = {"models": query_models}
