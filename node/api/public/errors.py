"""Every error leaves the public API as OpenAI-style JSON: {"error": {"message", "type", "code"}}.

Routes and the modules they call raise fastapi.HTTPException(status, message, headers); the
`type` follows from the status as in OpenAI's API and `code` is the HTTP status (the ML node
answers the same shape). A chain node that cannot be reached is a 503.
"""

from __future__ import annotations

import logging

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from node.api.chain_link import ChainQueryError

log = logging.getLogger(__name__)

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "insufficient_quota",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    409: "conflict_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


def error_body(status: int, message: str) -> dict[str, dict[str, object]]:
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "code": status}}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return error_response(error.status_code, str(error.detail), dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return error_response(400, f"invalid request: {problems}")

    @app.exception_handler(ChainQueryError)
    async def chain_query_error(request: Request, error: ChainQueryError) -> JSONResponse:
        return error_response(404 if error.not_found else 400, str(error))

    @app.exception_handler(grpc.aio.AioRpcError)
    async def chain_unreachable(request: Request, error: grpc.aio.AioRpcError) -> JSONResponse:
        log.warning("chain node call failed: %s %s", error.code(), error.details())
        return error_response(503, f"the chain node is unavailable: {error.code().name}", {"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(500, f"internal error: {type(error).__name__}")
