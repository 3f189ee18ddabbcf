"""Malformed HTTP framing answered like every other refusal of the public API.

uvicorn's HTTP parser refuses a request it cannot frame (a broken chunk size, both chunked
and Content-Length, a NUL in a header ...) before the app sees it, with a plain-text 400.
This protocol keeps uvicorn's parser and sends the same 400 as OpenAI-style JSON instead, so a
client reads every error of the api node the same way.
"""

from __future__ import annotations

from typing import Any

import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from node.api.public.errors import error_body


def framing_error_response(message: str) -> bytes:
    """The whole HTTP/1.1 answer to a request that could not be framed; the connection closes after it."""
    body = orjson.dumps(error_body(400, f"malformed HTTP request: {message}"))
    head = (b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: "
            + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n")
    return head + body


class JsonErrorHttpProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        self.transport.write(framing_error_response(msg.rstrip(".")))
        self.transport.close()


def uvicorn_config(app: Any, **options: Any) -> uvicorn.Config:
    """How the api node serves its public app: quiet, with its lifespan, framing errors as JSON."""
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", http=JsonErrorHttpProtocol,
                          **options)
