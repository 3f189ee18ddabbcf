"""Polling helpers for integration tests: wait on chain conditions with a deadline."""

from __future__ import annotations

from node.chain.client import ChainClient, ChainError
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for


def height(url: str) -> int | None:
    try:
        with ChainClient(url, timeout_s=2) as client:
            return client.status()["height"]
    except ChainError:
        return None


def wait_height(url: str, target: int, timeout_s: float = 60) -> None:
    """Until the node at `url` has committed `target`."""
    assert wait_for(lambda: (height(url) or 0) >= target, timeout_s, 0.2), (
        f"{url} did not reach height {target} within {timeout_s} s (at {height(url)})"
    )


def wait_blocks(devnet: Devnet, names: list[str], blocks: int, timeout_s: float = 60) -> None:
    """Until each named node has committed `blocks` more blocks than now."""
    for name in names:
        url = devnet.node(name).url
        start = height(url)
        assert start is not None, f"{name} does not answer"
        wait_height(url, start + blocks, timeout_s)
