"""Queries `inference` {inference_id}, `inferences` {executor?, status?, epoch?, limit?} and `price` {model}."""

from __future__ import annotations

from typing import Any

from node.chain.app.encoding import to_jsonable
from node.chain.app.epochs import group
from node.chain.app.inference.pricing import current_price, get_model_price
from node.chain.app.inference.state import all_inference_ids, completed_ids, get_inference
from node.chain.app.models.state import get_model
from node.chain.app.queries import (
    QueryContext,
    QueryError,
    QueryHandler,
    address_param,
    check_params,
    int_param,
    string_param,
)
from node.chain.app.validation.state import get_vote, records_for
from node.proto.gonka.inference_pb2 import Inference, InferenceStatus

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_PAYLOADS = ("prompt_payload", "response_payload", "original_prompt")


def query_inference(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    """The whole lifecycle: the record, the validations and votes received, and the vote tally."""
    inference_id = string_param(check_params(params, {"inference_id"}), "inference_id")
    inference = get_inference(ctx.kv, inference_id)
    if inference is None:
        raise QueryError("not_found", f"unknown inference {inference_id}")
    vote = get_vote(ctx.kv, inference_id)
    return to_jsonable(inference) | {
        "validations": [to_jsonable(record) for record in records_for(ctx.kv, inference_id)],
        "vote": None if vote is None else to_jsonable(vote),
    }


def _summary(inference: Inference) -> dict[str, Any]:
    """A record without its (possibly large) payloads."""
    for name in _PAYLOADS:
        inference.ClearField(name)
    return to_jsonable(inference)


def query_inferences(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    """Inferences by id, filtered; with `epoch`, only those completed in that epoch."""
    check_params(params, {"executor", "status", "epoch", "limit"})
    executor = address_param({"address": params["executor"]}) if "executor" in params else None
    status = None
    if "status" in params:
        name = params["status"]
        if name not in InferenceStatus.keys() or name == "INFERENCE_STATUS_UNSPECIFIED":
            raise QueryError("invalid_argument", f"unknown status {name!r}")
        status = InferenceStatus.Value(name)
    limit = int_param(params, "limit") if "limit" in params else DEFAULT_LIMIT
    if not 0 < limit <= MAX_LIMIT:
        raise QueryError("invalid_argument", f"limit must be 1 to {MAX_LIMIT}")
    ids = completed_ids(ctx.kv, int_param(params, "epoch")) if "epoch" in params else all_inference_ids(ctx.kv)
    found: list[dict[str, Any]] = []
    for inference_id in ids:
        inference = get_inference(ctx.kv, inference_id)
        if inference is None or (executor and inference.executed_by != executor):
            continue
        if status is not None and inference.status != status:
            continue
        found.append(_summary(inference))
        if len(found) == limit:
            break
    return {"inferences": found}


def query_price(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    model = string_param(check_params(params, {"model"}), "model")
    if get_model(ctx.kv, model) is None:
        raise QueryError("not_found", f"model {model!r} is not in the model registry")
    pricing = ctx.params.pricing
    epoch = group.current_epoch_index(ctx.kv)
    stored = get_model_price(ctx.kv, model)
    return {
        "model": model,
        "per_token_price": current_price(ctx.kv, pricing, model, epoch),
        "grace_period": epoch < pricing.grace_period_end_epoch,
        "utilization_ppm": 0 if stored is None else stored.utilization_ppm,
        "updated_height": 0 if stored is None else stored.updated_height,
    }


QUERIES: dict[str, QueryHandler] = {
    "inference": query_inference,
    "inferences": query_inferences,
    "price": query_price,
}
