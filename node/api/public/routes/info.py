"""What a client reads before sending: /v1/models, /v1/status, /v1/identity, the chain params
(the route the gonka-openai SDK reads) and /metrics."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from node.api.metrics import CONTENT_TYPE
from node.api.public.chain_view import HOST_KIND
from node.api.public.node import PublicNode

router = APIRouter()


def _node(request: Request) -> PublicNode:
    return request.app.state.node


@router.get("/v1/models")
async def models(request: Request) -> dict[str, Any]:
    """The chain's model registry in OpenAI's list format."""
    registry = await _node(request).chain.models()
    return {
        "object": "list",
        "data": [{"id": m["id"], "object": "model", "created": 0, "owned_by": "gonka", **m} for m in registry.values()],
    }


@router.get("/v1/identity")
async def identity(request: Request) -> dict[str, Any]:
    node = _node(request)
    return {
        "address": node.ctx.address,
        "pubkey": base64.b64encode(node.ctx.key.public_key).decode(),
        "url": node.ctx.public_url,
        "chain_id": node.ctx.chain_id,
        "model": node.ctx.model,
    }


@router.get("/v1/status")
async def status(request: Request) -> dict[str, Any]:
    node = _node(request)
    head, epoch = await asyncio.gather(node.chain.head(), node.chain.link.query("epoch"))
    states = await node.executor.ml.states()
    return {
        "address": node.ctx.address,
        "chain_id": head.chain_id,
        "height": head.height,
        "block_time_ms": head.time_ns // 1_000_000,
        "epoch": epoch,
        "model": node.ctx.model,
        "ml_nodes": [
            {"url": client.url, "state": state, "busy": busy}
            for client, state, busy in zip(node.ctx.ml_nodes, states, node.executor.ml.busy, strict=True)
        ],
        "pending_txs": node.txs.pending(),
    }


@router.get("/chain-api/productscience/inference/inference/params")
async def chain_params(request: Request) -> dict[str, Any]:
    """The chain params under the reference's REST path. This chain has no TA whitelist, so
    every registered host is listed as an allowed transfer agent (the SDK filters by it)."""
    node = _node(request)
    params, participants = await asyncio.gather(node.chain.params(), node.chain.link.query("participants"))
    hosts = [p["address"] for p in participants["participants"] if p["kind"] == HOST_KIND]
    return {"params": params | {"transfer_agent_access_params": {"allowed_transfer_addresses": hosts}}}


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    return Response(_node(request).metrics.render(), media_type=CONTENT_TYPE)
