"""Two api nodes' public apps on a chain-only devnet, and a developer that signs like the public client.

    p1  transfer agent under test: registered host url, but no ML node of its own, so whenever the
        chain's weighted pick names p1 its executor answers 503 and the TA moves on: every request
        sent to p1 ends up forwarded over HTTP to p2
    p2  executor: one in-process ML node (the seeded devnet Llama); requests sent to p2 run locally

The ML node, both apps (uvicorn on pre-bound 127.0.0.1 sockets) and their gRPC clients live on one
asyncio loop in a background thread; tests talk to them over real HTTP from the test thread.

`SigningTransport` makes a plain `openai` client a Gonka client: it signs each request body
(Signature 2.0) and sets Authorization / X-Requester-Address / X-Timestamp / X-Transfer-Address.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import torch
import uvicorn
from fastapi import FastAPI

from node.api.chain_link import ChainLink
from node.api.context import ApiContext
from node.api.public import build_public_app
from node.api.public.framing import uvicorn_config
from node.api.public.node import PublicNode
from node.api.public.settings import PublicSettings
from node.api.tx_sender import TxSender
from node.chain.client import ChainClient, ChainError
from node.core.inference_signing import sign_request
from node.core.keys import AccountKey
from node.core.tx import register_message
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for
from node.ml.client import MlNodeClient
from node.ml.config import MlNodeConfig
from node.ml.server import MlServer, start
from node.proto.gonka.participants_pb2 import MlNode, MsgRegisterParticipant

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

register_message(MsgRegisterParticipant)

T = TypeVar("T")
MODEL = "devnet-llama-10m-seed0"
SETUP_TIMEOUT_S = 120.0
# What may be on p1's bandwidth books at once: one 900-token request (576 KB) fits, two do not.
TA_CAPACITY_KB = 800.0


class ServiceLoop:
    """An asyncio loop on a daemon thread; `run` executes a coroutine there and waits for it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="api-services", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = SETUP_TIMEOUT_S) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@dataclass
class ApiNode:
    name: str
    key: AccountKey
    url: str
    ctx: ApiContext
    app: FastAPI
    server: uvicorn.Server
    task: asyncio.Task[None]

    @property
    def address(self) -> str:
        return self.key.address

    @property
    def node(self) -> PublicNode:
        return self.app.state.node


@dataclass
class ApiNet:
    devnet: Devnet
    services: ServiceLoop
    ml: MlServer
    ta: ApiNode  # p1
    executor: ApiNode  # p2
    faucet: AccountKey

    def chain(self) -> ChainClient:
        return self.devnet.client()

    def ml_client(self) -> MlNodeClient:
        """A client on the services loop (use it inside `services.run`)."""
        return self.executor.ctx.ml_nodes[0]


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


async def _start_api(
    devnet: Devnet, index: int, ml_urls: list[str], data_dir: Path, settings: PublicSettings
) -> ApiNode:
    account = devnet.manifest.participants[index]
    key = AccountKey.from_private_hex(account.private_key)
    chain = ChainLink(devnet.manifest.nodes[index].url)
    sock = _bound_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    ctx = ApiContext(
        name=account.name,
        chain_id=devnet.manifest.chain_id,
        key=key,
        public_url=url,
        chain=chain,
        tx=TxSender(chain, key, devnet.manifest.chain_id),
        ml_nodes=[MlNodeClient(u, timeout_s=60) for u in ml_urls],
        data_dir=data_dir / account.name,
        model=MODEL,
    )
    app = build_public_app(ctx, settings)
    server = uvicorn.Server(uvicorn_config(app))
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 30
    while not server.started:
        assert not task.done(), f"uvicorn for {account.name} exited: {task.exception() if task.done() else ''}"
        assert time.monotonic() < deadline, f"uvicorn for {account.name} did not start"
        await asyncio.sleep(0.02)
    return ApiNode(account.name, key, url, ctx, app, server, task)


async def _register_host(api: ApiNode) -> None:
    """Publish the api node's url (and so set its account key on chain, needed to check its signatures)."""
    record = await api.ctx.chain.query("participant", address=api.address)
    message = MsgRegisterParticipant(
        creator=api.address,
        url=api.url,
        consensus_public_key=bytes.fromhex(record["consensus_public_key"]),
        models=[MODEL],
        ml_nodes=[MlNode(node_id="ml0")],
    )
    result = await api.ctx.tx.send([message], wait=True)
    assert result.ok and result.committed, result


async def _stop_api(api: ApiNode) -> None:
    api.server.should_exit = True
    await asyncio.wait_for(api.task, 30)
    for client in api.ctx.ml_nodes:
        await client.close()
    await api.ctx.chain.close()


@pytest.fixture(scope="module")
def api_net(devnet: Devnet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiNet]:
    threads = torch.get_num_threads()
    with devnet.client() as chain:
        participants = len(chain.query("epoch_group")["members"])
        lifespan = chain.query("params")["inference"]["expiration_blocks"] + 1
    # The network's limit such that each node's share over a request's lifespan is TA_CAPACITY_KB.
    settings = PublicSettings(limit_kb_per_block=TA_CAPACITY_KB / lifespan * participants, executor_attempts=6)
    services = ServiceLoop()
    data_dir = tmp_path_factory.mktemp("api-nodes")
    config = MlNodeConfig.from_dict(
        {
            "name": "it-api-ml",
            "grpc": {"listen": "127.0.0.1:0"},
            "pow": {"threads": 1},
            "inference": {"models": [MODEL]},
        }
    )
    ml = services.run(start(config))
    apis: list[ApiNode] = []
    try:
        apis.append(services.run(_start_api(devnet, 0, [], data_dir, settings)))
        apis.append(services.run(_start_api(devnet, 1, [f"127.0.0.1:{ml.port}"], data_dir, settings)))
        for api in apis:
            services.run(_register_host(api))
        faucet = AccountKey.from_private_hex(devnet.manifest.faucet.private_key)
        yield ApiNet(devnet, services, ml, apis[0], apis[1], faucet)
    finally:
        for api in apis:
            services.run(_stop_api(api))
        services.run(ml.stop())
        services.close()
        torch.set_num_threads(threads)


# -- a developer -----------------------------------------------------------------------------------


def signed_headers(key: AccountKey, body: str, transfer_address: str, timestamp_ns: int | None = None) -> dict[str, str]:
    """The developer's headers for `body` addressed to the TA `transfer_address` (Signature 2.0)."""
    stamp = time.time_ns() if timestamp_ns is None else timestamp_ns
    return {
        "Content-Type": "application/json",
        "Authorization": sign_request(key, body, stamp, transfer_address),
        "X-Requester-Address": key.address,
        "X-Timestamp": str(stamp),
        "X-Transfer-Address": transfer_address,
    }


class SigningTransport(httpx.BaseTransport):
    """Signs every request as the public Gonka client does, then sends it with httpx's own transport."""

    def __init__(self, key: AccountKey, transfer_address: str) -> None:
        self._key = key
        self._transfer_address = transfer_address
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read().decode()
        for name, value in signed_headers(self._key, body, self._transfer_address).items():
            request.headers[name] = value
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def register_developer(net: ApiNet, funds: int) -> AccountKey:
    """A new developer: registered through p1's POST /v1/participants, then funded from the faucet."""
    key = AccountKey.generate()
    answer = httpx.post(
        f"{net.ta.url}/v1/participants",
        json={"pub_key": base64.b64encode(key.public_key).decode(), "address": key.address},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    if funds:
        with net.chain() as chain:
            result = chain.send_tokens(net.faucet, key.address, funds, wait=True)
        assert result["committed"] and result["code"] == 0, result
    return key


def wait_inference(
    net: ApiNet, inference_id: str, statuses: tuple[str, ...] = ("FINISHED",), timeout_s: float = 30
) -> dict[str, Any]:
    """The chain's record of the inference once its status is one of `statuses`."""
    found: dict[str, Any] = {}

    def reached() -> bool:
        with net.chain() as chain:
            try:
                found.update(chain.query("inference", inference_id=inference_id))
            except ChainError:  # not on chain yet
                return False
        return found.get("status") in statuses

    assert wait_for(reached, timeout_s, 0.2), f"inference not {statuses} within {timeout_s} s: {found.get('status')}"
    return found
