"""Queries `account`, `balance` and `supply`."""

from __future__ import annotations

from typing import Any

from node.chain.app.bank.state import DENOM, get_account, get_balance, get_burned, get_minted, get_supply
from node.chain.app.encoding import to_jsonable
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, address_param, check_params


def query_account(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    address = address_param(params)
    account = get_account(ctx.kv, address)
    if account is None:
        raise QueryError("not_found", f"account {address} does not exist")
    return to_jsonable(account)


def query_balance(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    address = address_param(params)
    return {"address": address, "denom": DENOM, "amount": get_balance(ctx.kv, address)}


def query_supply(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    """amount = genesis + minted − burned."""
    check_params(params, set())
    amount, minted, burned = get_supply(ctx.kv), get_minted(ctx.kv), get_burned(ctx.kv)
    return {"denom": DENOM, "amount": amount, "minted": minted, "burned": burned, "genesis": amount - minted + burned}


QUERIES: dict[str, QueryHandler] = {"account": query_account, "balance": query_balance, "supply": query_supply}
