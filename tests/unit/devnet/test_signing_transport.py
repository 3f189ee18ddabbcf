"""The signing transport makes the unmodified `openai` client (sync and async, streamed and not)
send requests that a server accepts only if the Signature 2.0 over the exact body verifies."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from gonka_lab.signing import GonkaSigningTransport, SigningError, signed_headers
from node.core.inference_signing import developer_bytes, verify
from node.core.keys import AccountKey

TA = AccountKey.generate()
DEVELOPER = AccountKey.generate()
MODEL = "devnet-llama-10m-seed0"


def _verifying_app(seen: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/identity")
    async def identity() -> dict[str, str]:
        return {"address": TA.address}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        body = await request.body()
        h = request.headers
        ok = (
            h["x-requester-address"] == DEVELOPER.address
            and h["x-transfer-address"] == TA.address
            and verify(DEVELOPER.public_key, developer_bytes(body.decode(), int(h["x-timestamp"]), TA.address),
                       h["authorization"])
        )
        seen.append({"ok": ok, "id": h["authorization"]})
        if not ok:
            return JSONResponse({"error": {"message": "bad signature"}}, status_code=401)
        request_json = json.loads(body)
        inference_id = h["authorization"]
        if request_json.get("stream"):
            def chunks() -> Iterator[str]:
                for i, word in enumerate(["signed", " hello"]):
                    delta = {"role": "assistant", "content": word} if i == 0 else {"content": word}
                    chunk = {"id": inference_id, "object": "chat.completion.chunk", "created": 1, "model": MODEL,
                             "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk)}\n\n"
                yield "data: [DONE]\n\n"
            return StreamingResponse(chunks(), media_type="text/event-stream")
        return {"id": inference_id, "object": "chat.completion", "created": 1, "model": MODEL,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "signed hello"},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}

    return app


@contextmanager
def _serving(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 in a thread; its base url."""
    http = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=http.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not http.started:
        assert time.monotonic() < deadline and thread.is_alive(), "test server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{http.servers[0].sockets[0].getsockname()[1]}"
    finally:
        http.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    with _serving(_verifying_app(seen)) as url:
        yield url, seen


def _messages() -> list[dict[str, str]]:
    return [{"role": "user", "content": "Grüße — a non-ASCII prompt"}]


def test_sync_openai_client_plain_and_streamed(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    client = openai.OpenAI(base_url=url + "/v1", api_key="unused",
                           http_client=httpx.Client(transport=GonkaSigningTransport(DEVELOPER)))
    answer = client.chat.completions.create(model=MODEL, messages=_messages(), max_tokens=5)
    assert answer.choices[0].message.content == "signed hello"
    assert answer.id == seen[-1]["id"] and seen[-1]["ok"]
    stream = client.chat.completions.create(model=MODEL, messages=_messages(), stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream) == "signed hello"
    assert seen[-1]["ok"]


def test_async_openai_client(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server

    async def run() -> list[str]:
        client = openai.AsyncOpenAI(base_url=url + "/v1", api_key="unused", http_client=httpx.AsyncClient(
            transport=GonkaSigningTransport(DEVELOPER, TA.address)))
        answers = await asyncio.gather(*(client.chat.completions.create(model=MODEL, messages=_messages())
                                         for _ in range(4)))
        return [a.id for a in answers]

    ids = asyncio.run(run())
    assert len(set(ids)) == 4  # a fresh timestamp per request: each is its own inference
    assert all(entry["ok"] for entry in seen[-4:])


def test_wrong_key_is_refused(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, _ = server
    body = json.dumps({"model": MODEL, "messages": _messages()}).encode()
    # signed by another key while claiming to be the developer: the server refuses
    forged = signed_headers(AccountKey.generate(), body, TA.address) | {"X-Requester-Address": DEVELOPER.address}
    assert httpx.post(url + "/v1/chat/completions", content=body, headers=forged).status_code == 401
    with httpx.Client(transport=GonkaSigningTransport(AccountKey.generate())) as impostor:
        assert impostor.post(url + "/v1/chat/completions", content=body).status_code == 401


def test_bad_transfer_address_and_missing_identity_fail_clearly() -> None:
    with pytest.raises(ValueError):
        GonkaSigningTransport(DEVELOPER, "gonka1notanaddress")
    # a server without /v1/identity cannot tell whom to sign for: a transport error, nothing sent
    with _serving(FastAPI()) as url, httpx.Client(transport=GonkaSigningTransport(DEVELOPER)) as http:
        with pytest.raises(SigningError, match="without a usable address"):
            http.post(url + "/v1/chat/completions", content=b"{}")
