"""POST /v1/chat/completions (as TA, or as executor when a TA forwarded it) and
GET /v1/chat/completions/{id} (the inference's chain record)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from node.api.auth import is_forwarded
from node.api.public.body import read_chat_body
from node.api.public.forwarded import serve_forwarded
from node.api.public.node import PublicNode
from node.api.public.transfer import TransferAgent

router = APIRouter()


@router.post("/v1/chat/completions")
async def chat_completions(request: Request) -> Response:
    node: PublicNode = request.app.state.node
    role = "executor" if is_forwarded(request.headers) else "ta"
    clock = node.metrics.clock(role)
    try:
        body = await read_chat_body(request, node.settings.max_body_bytes)
        clock.lap("body")
        if role == "executor":
            response = await serve_forwarded(node, body, request.headers, clock)
        else:
            response = await TransferAgent(node, clock).handle(body, request.headers)
    except HTTPException as error:
        node.metrics.inference(role, error.status_code)
        raise
    node.metrics.inference(role, response.status_code)
    return response


# `:path` because inference ids are base64 and may hold "/" (sent percent-encoded as %2F).
@router.get("/v1/chat/completions/{inference_id:path}")
async def inference_record(inference_id: str, request: Request) -> dict[str, Any]:
    node: PublicNode = request.app.state.node
    return await node.chain.link.query("inference", inference_id=inference_id)
