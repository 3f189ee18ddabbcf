"""Query `settlement` {address, epoch?}: the unclaimed amount and the performance summaries."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, check_params, int_param
from node.chain.app.reputation.state import summaries
from node.chain.app.settlement.state import get_settle_amount
from node.core.errors import InvalidAddress
from node.core.keys import decode_address


def query_settlement(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, {"address", "epoch"})
    address = params.get("address")
    try:
        decode_address(address)  # type: ignore[arg-type]
    except InvalidAddress as exc:
        raise QueryError("invalid_argument", f"address: {exc}") from None
    epoch = int_param(params, "epoch") if "epoch" in params else None
    amount = get_settle_amount(ctx.kv, str(address))
    if amount is not None and epoch is not None and amount.epoch_index != epoch:
        amount = None
    found = [s for s in summaries(ctx.kv, str(address)) if epoch is None or s.epoch_index == epoch]
    return {
        "address": address,
        "unclaimed": None if amount is None else to_jsonable(amount),
        "epochs": [to_jsonable(summary) for summary in found],
    }


QUERIES: dict[str, QueryHandler] = {"settlement": query_settlement}
