"""Reading a chat request's body: at most `max_bytes` (413 beyond), UTF-8 JSON object with a model (400);
a body cut short by the client hanging up is a 400 too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from starlette.requests import ClientDisconnect


@dataclass(frozen=True)
class ChatBody:
    text: str  # exactly as received: the developer signed these bytes
    data: dict[str, Any]

    @property
    def model(self) -> str:
        return self.data["model"]

    @property
    def stream(self) -> bool:
        return self.data.get("stream") is True


async def read_chat_body(request: Request, max_bytes: int) -> ChatBody:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise HTTPException(413, f"request body is over {max_bytes} bytes")
    raw = bytearray()
    try:
        async for piece in request.stream():  # stop reading as soon as the limit is passed
            raw += piece
            if len(raw) > max_bytes:
                raise HTTPException(413, f"request body is over {max_bytes} bytes")
    except ClientDisconnect:  # a client error, not ours: no 500, no traceback in the log
        raise HTTPException(400, "the connection closed before the whole request body arrived") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise HTTPException(400, f"request body is not valid UTF-8 JSON: {error}") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "request body must be a JSON object")
    if not isinstance(data.get("model"), str) or not data["model"]:
        raise HTTPException(400, "model must be a non-empty string")
    return ChatBody(text, data)
