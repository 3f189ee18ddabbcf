"""The process kinds a local network can run, and how to run and probe each.

Adding api or ML nodes means adding a `ProcessKind` here (plus their config writer): the
supervisor and the `gonka net` commands work on any kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from node.chain.client import ChainClient, ChainError

# A chain node counts as up once it has committed this many blocks: consensus is running.
CHAIN_READY_HEIGHT = 2
_PROBE_TIMEOUT_S = 1.0


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


KINDS: dict[str, ProcessKind] = {
    "chain": ProcessKind(
        name="chain",
        argv=_node_argv("chain"),
        probe=probe_chain,
        ready=lambda status: status["height"] >= CHAIN_READY_HEIGHT,
    ),
}
