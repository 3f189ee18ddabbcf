"""Queries `validations` {inference_id} and `executor_status` {address}."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.inference.state import get_inference, get_work
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, address_param, check_params, string_param
from node.chain.app.validation.state import get_executor, records_for


def query_validations(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    inference_id = string_param(check_params(params, {"inference_id"}), "inference_id")
    if get_inference(ctx.kv, inference_id) is None:
        raise QueryError("not_found", f"unknown inference {inference_id}")
    return {"validations": [to_jsonable(record) for record in records_for(ctx.kv, inference_id)]}


def query_executor_status(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    """Status and validation counters, with the work ledger (owed coins, request counts)."""
    address = address_param(params)
    work = to_jsonable(get_work(ctx.kv, address))
    del work["address"]
    return to_jsonable(get_executor(ctx.kv, address)) | work


QUERIES: dict[str, QueryHandler] = {"validations": query_validations, "executor_status": query_executor_status}
