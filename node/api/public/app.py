"""The public HTTP app: routes, OpenAI-style errors, request metrics, and its shutdown."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from node.api.context import ApiContext
from node.api.metrics import ApiMetrics
from node.api.public import errors
from node.api.public.node import PublicNode
from node.api.public.routes import chat, info, participants
from node.api.public.settings import PublicSettings


class RequestMetrics:
    """Counts and times requests by route template (pure ASGI: streams pass untouched, and the app
    returns only after a stream's last byte, so the time covers it)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.monotonic()
        self.metrics.http_in_flight.inc()
        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.metrics.http_in_flight.dec()
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.http_requests.labels(route, scope["method"], str(status)).inc()
            self.metrics.http_seconds.labels(route).observe(time.monotonic() - started)


def build_public_app(ctx: ApiContext, settings: PublicSettings | None = None) -> FastAPI:
    """The app for uvicorn. Serve it as the root app so its lifespan runs (at start, re-sending the
    txs a previous run left in the outbox; at shutdown, draining the txs in flight);
    `app.state.node` holds its shared parts (metrics registry included)."""
    node = PublicNode.create(ctx, settings or PublicSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        node.txs.resume()  # what a previous run of this node still owed the chain
        yield
        await node.aclose()

    app = FastAPI(title=f"gonka api node {ctx.name}", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.node = node
    errors.install(app)
    for module in (chat, info, participants):
        app.include_router(module.router)
    app.add_middleware(RequestMetrics, metrics=node.metrics)
    return app
