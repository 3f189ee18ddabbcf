"""Shared by the ML node's service tests and its integration test: requests and error checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
import pytest

from node.ml.client import MlNodeClient, MlNodeError
from node.ml.config import MlNodeConfig
from node.ml.server import MlServer, start

MODEL = "devnet-llama-10m-seed0"
BLOCK_HASH = "0f3c9a1e5b7d2468ace0f3c9a1e5b7d2468ace0f3c9a1e5b7d2468ace0f3c9a"
PUBLIC_KEY = "gonka1hostpublickeyfortests"


def chat_body(content: str = "Tell me about proofs of work.", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": content}],
        "max_tokens": 12,
        "logprobs": True,
        "top_logprobs": 5,
        "seed": 7,
        "temperature": 0.8,
    }
    body.update(extra)
    return body


def expect_error(call: Callable[[], Any], code: grpc.StatusCode, contains: str) -> MlNodeError:
    """Run a blocking call that must be refused with `code` and a message containing `contains`."""
    with pytest.raises(MlNodeError) as refused:
        call()
    return _checked(refused.value, code, contains)


async def expect_error_async(call: Awaitable[Any], code: grpc.StatusCode, contains: str) -> MlNodeError:
    with pytest.raises(MlNodeError) as refused:
        await call
    return _checked(refused.value, code, contains)


def _checked(error: MlNodeError, code: grpc.StatusCode, contains: str) -> MlNodeError:
    assert error.code == code, f"expected {code.name}, got {error}"
    assert error.error is not None, "the details must carry the OpenAI-style JSON body"
    assert contains in error.error["message"], error.error
    return error


def config(**tables: Any) -> MlNodeConfig:
    data: dict[str, Any] = {"name": "test-ml", "grpc": {"listen": "127.0.0.1:0"}, "pow": {"threads": 1}}
    data.update(tables)
    return MlNodeConfig.from_dict(data)


@asynccontextmanager
async def serving(node_config: MlNodeConfig) -> AsyncIterator[tuple[MlServer, MlNodeClient]]:
    """A real grpc.aio ML node on 127.0.0.1 in this process, and a client for it."""
    server = await start(node_config)
    client = MlNodeClient(f"127.0.0.1:{server.port}", timeout_s=60)
    try:
        yield server, client
    finally:
        await client.close()
        await server.stop()
