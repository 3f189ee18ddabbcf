"""A developer's Python access to a Gonka api node: register an account, send signed chat requests.

    with GonkaClient("http://127.0.0.1:9000", key) as api:
        api.register()                                  # POST /v1/participants (no funds needed)
        answer = api.chat({"model": ..., "messages": [...], "max_tokens": 20})
        answer["id"]                                    # the inference id: the request's signature
        for chunk in api.chat_stream({...}):            # chat.completion.chunk dicts
            ...

Requests are signed by `GonkaSigningTransport`; an error answer raises `ApiError` with the
node's status code and JSON body. Used by `gonka account|infer`, the demo and the tests.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx

from gonka_lab.signing import GonkaSigningTransport
from node.core.keys import AccountKey

DEFAULT_TIMEOUT_S = 60.0


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        message = body.get("error", body) if isinstance(body, dict) else body
        if isinstance(message, dict):
            message = message.get("message", message)
        super().__init__(f"api node answered {status}: {message}")
        self.status = status
        self.body = body


def _checked(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if response.status_code >= 400:
        raise ApiError(response.status_code, body)
    return body


class GonkaClient:
    def __init__(self, api_url: str, key: AccountKey, transfer_address: str | None = None,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.api_url = api_url.rstrip("/")
        self.key = key
        self._http = httpx.Client(base_url=self.api_url, timeout=timeout_s,
                                  transport=GonkaSigningTransport(key, transfer_address))

    def __enter__(self) -> GonkaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def identity(self) -> dict[str, Any]:
        return _checked(self._http.get("/v1/identity"))

    def models(self) -> list[str]:
        return [model["id"] for model in _checked(self._http.get("/v1/models"))["data"]]

    def register(self) -> dict[str, Any]:
        """Create this key's account on chain as a developer (the api node pays the tx)."""
        body = {"pub_key": base64.b64encode(self.key.public_key).decode(), "address": self.key.address}
        return _checked(self._http.post("/v1/participants", json=body))

    def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        return _checked(self._http.post("/v1/chat/completions", json={**body, "stream": False}))

    def chat_stream(self, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The chunks of a streamed completion, as they arrive (server-sent events)."""
        with self._http.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as response:
            if response.status_code >= 400:
                response.read()
                _checked(response)
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[len("data:"):].strip()
                if data == "[DONE]":
                    return
                yield json.loads(data)


def wait_serving(api_url: str, key: AccountKey, model: str, timeout_s: float) -> dict[str, Any]:
    """Send a tiny signed inference until one completes (the network serves inference); its answer.
    Raises TimeoutError with the last refusal when none did within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    body = {"model": model, "messages": [{"role": "user", "content": "ping"}], "max_tokens": 4}
    last: Exception | None = None
    with GonkaClient(api_url, key) as api:
        while time.monotonic() < deadline:
            try:
                return api.chat(body)
            except (ApiError, httpx.HTTPError) as error:
                last = error
                time.sleep(0.5)  # polling a network that is still forming its first epoch
    raise TimeoutError(f"no inference completed through {api_url} within {timeout_s:.0f} s: {last}")
