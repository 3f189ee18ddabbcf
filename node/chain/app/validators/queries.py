"""Query `validators`: the validator records with their consensus addresses."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.queries import QueryContext, QueryHandler, check_params
from node.chain.app.validators.state import all_validators
from node.core.consensus_keys import consensus_address


def query_validators(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, set())
    return {
        "validators": [
            to_jsonable(v) | {"consensus_address": consensus_address(v.consensus_public_key).hex()}
            for v in all_validators(ctx.kv)
        ]
    }


QUERIES: dict[str, QueryHandler] = {"validators": query_validators}
