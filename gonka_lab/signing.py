"""Request signing for the unmodified `openai` client (or any httpx client): an httpx transport.

    key = Keyring(home).key("alice")
    client = openai.OpenAI(base_url=api_url + "/v1", api_key="unused",
                           http_client=httpx.Client(transport=GonkaSigningTransport(key)))
    client.chat.completions.create(model=..., messages=[...])            # async: openai.AsyncOpenAI
                                                                        # + httpx.AsyncClient
Every POST is signed as the public Gonka client signs it ("Signature 2.0", reference protocol.md
§4): the developer signature over hex(SHA-256(exact body bytes)) ‖ timestamp_ns ‖ transfer agent
address goes in `Authorization` (replacing openai's bearer token), with `X-Requester-Address`,
`X-Timestamp` and `X-Transfer-Address`. The transfer agent is the api node the request goes to;
unless given, its address is asked once per node from its `GET /v1/identity`.
"""

from __future__ import annotations

import json
import time

import httpx

from node.core.inference_signing import sign_request
from node.core.keys import AccountKey, decode_address

IDENTITY_PATH = "/v1/identity"


class SigningError(httpx.TransportError):
    """The request could not be signed (the api node's identity is unavailable)."""


def signed_headers(key: AccountKey, body: bytes, transfer_address: str, timestamp_ns: int | None = None) -> dict[str, str]:
    """The headers that authorize `body` as a request by `key` through `transfer_address`."""
    stamp = time.time_ns() if timestamp_ns is None else timestamp_ns
    return {
        "Authorization": sign_request(key, body.decode("utf-8"), stamp, transfer_address),
        "X-Requester-Address": key.address,
        "X-Timestamp": str(stamp),
        "X-Transfer-Address": transfer_address,
    }


def _identity_request(url: httpx.URL) -> httpx.Request:
    return httpx.Request("GET", url.copy_with(path=IDENTITY_PATH, query=None, fragment=None))


def _address_from(response: httpx.Response, url: httpx.URL) -> str:
    try:
        address = json.loads(response.content)["address"]
        decode_address(address)
    except (ValueError, KeyError, TypeError) as error:
        raise SigningError(f"{url} answered {response.status_code} without a usable address: {error}") from None
    return str(address)


class GonkaSigningTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Signs POST bodies and forwards every request to a plain httpx transport (sync or async)."""

    def __init__(
        self,
        key: AccountKey,
        transfer_address: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if transfer_address is not None:
            decode_address(transfer_address)  # a typo fails here, not as a 401 later
        self.key = key
        self.transfer_address = transfer_address
        self._transport = transport
        self._async_transport = async_transport
        self._addresses: dict[tuple[str, str, int | None], str] = {}  # api node origin -> its address

    def _inner(self) -> httpx.BaseTransport:
        if self._transport is None:
            self._transport = httpx.HTTPTransport()
        return self._transport

    def _async_inner(self) -> httpx.AsyncBaseTransport:
        if self._async_transport is None:
            self._async_transport = httpx.AsyncHTTPTransport()
        return self._async_transport

    @staticmethod
    def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
        return url.scheme, url.host, url.port

    def _sign(self, request: httpx.Request, body: bytes, transfer_address: str) -> None:
        request.headers.update(signed_headers(self.key, body, transfer_address))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self._sign(request, request.read(), self._transfer_address(request.url))
        return self._inner().handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self._sign(request, await request.aread(), await self._transfer_address_async(request.url))
        return await self._async_inner().handle_async_request(request)

    def _transfer_address(self, url: httpx.URL) -> str:
        if self.transfer_address is not None:
            return self.transfer_address
        origin = self._origin(url)
        if origin not in self._addresses:
            request = _identity_request(url)
            response = self._inner().handle_request(request)
            try:
                response.read()
            finally:
                response.close()
            self._addresses[origin] = _address_from(response, request.url)
        return self._addresses[origin]

    async def _transfer_address_async(self, url: httpx.URL) -> str:
        if self.transfer_address is not None:
            return self.transfer_address
        origin = self._origin(url)
        if origin not in self._addresses:
            request = _identity_request(url)
            response = await self._async_inner().handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
            self._addresses[origin] = _address_from(response, request.url)
        return self._addresses[origin]

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        if self._async_transport is not None:
            await self._async_transport.aclose()
