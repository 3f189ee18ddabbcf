"""The process kinds a local network runs — chain, ML and api nodes — and how to run and probe each.

The supervisor and the `gonka net` commands work on any kind; a kind only says how its
process starts, how to ask it for its live state and when that state means "ready".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
import httpx

from node.chain.client import ChainClient, ChainError
from node.ml.client import to_dict
from node.proto.gonka import ml_pb2, ml_pb2_grpc

# A chain node counts as up once it has committed this many blocks: consensus is running.
CHAIN_READY_HEIGHT = 2
_PROBE_TIMEOUT_S = 1.0
# Any HTTP answer from an api node means it is ready: it opens its port only after it
# reached its chain and ML nodes and registered its participant.
API_PROBE_PATH = "/v1/identity"


@dataclass(frozen=True)
class ProcessKind:
    name: str
    # config path (relative to the network folder) -> argv after the Python interpreter
    argv: Callable[[str], list[str]]
    # node url -> live status fields, or None when the node does not answer
    probe: Callable[[str], dict[str, Any] | None]
    # live status fields -> is the node ready
    ready: Callable[[dict[str, Any]], bool]


def _node_argv(kind: str) -> Callable[[str], list[str]]:
    # The same entry point a person uses: `gonka node <kind> --config FILE`.
    return lambda config: ["-m", "gonka_lab.cli", "node", kind, "--config", config]


def probe_chain(url: str) -> dict[str, Any] | None:
    try:
        with ChainClient(url, timeout_s=_PROBE_TIMEOUT_S) as client:
            return client.status()
    except ChainError:
        return None


def probe_ml(url: str) -> dict[str, Any] | None:
    """The ML node's Health answer: name, state (INFERENCE, POW …), models."""
    try:
        with grpc.insecure_channel(url) as channel:
            return to_dict(ml_pb2_grpc.MlNodeStub(channel).Health(ml_pb2.HealthRequest(), timeout=_PROBE_TIMEOUT_S))
    except grpc.RpcError:
        return None


def probe_api(url: str) -> dict[str, Any] | None:
    """{"http_status", ...the identity fields when the answer is a JSON object}."""
    try:
        response = httpx.get(url + API_PROBE_PATH, timeout=_PROBE_TIMEOUT_S)
    except httpx.HTTPError:
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    return {"http_status": response.status_code} | (body if isinstance(body, dict) else {})


KINDS: dict[str, ProcessKind] = {
    "chain": ProcessKind(
        name="chain",
        argv=_node_argv("chain"),
        probe=probe_chain,
        ready=lambda status: status["height"] >= CHAIN_READY_HEIGHT,
    ),
    "ml": ProcessKind(name="ml", argv=_node_argv("ml"), probe=probe_ml, ready=lambda status: True),
    "api": ProcessKind(name="api", argv=_node_argv("api"), probe=probe_api,
                       ready=lambda status: status["http_status"] < 500),
}
