"""Invariants checked on every node after every fault scenario.

- identical block hash and app hash at every height all nodes have;
- every acknowledged tx in exactly one block, at the same height on every node;
- supply conserved: it changes only by minted rewards and burns/slashes;
- no account balance is negative (balances are unsigned on chain; a wrapped value would show
  up as an absurd amount, so balances are also bounded by the supply).
"""

from __future__ import annotations

import time
from collections import Counter

from node.chain.client import ChainClient
from node.devnet.network import Devnet


def chain_urls(net: Devnet) -> list[str]:
    return [node.url for node in net.manifest.nodes if node.kind == "chain"]


def common_height(urls: list[str]) -> int:
    heights = []
    for url in urls:
        with ChainClient(url) as client:
            heights.append(client.status()["height"])
    return min(heights)


def check_headers_agree(urls: list[str], up_to: int | None = None) -> int:
    """Every node has the same block hash and app hash at every height up to `up_to`; returns it."""
    top = common_height(urls) if up_to is None else up_to
    clients = [ChainClient(url) for url in urls]
    try:
        for height in range(1, top + 1):
            views = {(c.block(height)["hash"], c.block(height)["app_hash"]) for c in clients}
            assert len(views) == 1, f"nodes disagree at height {height}: {views}"
    finally:
        for client in clients:
            client.close()
    return top


def wait_common_height(urls: list[str], target: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while common_height(urls) < target:
        assert time.monotonic() < deadline, f"nodes did not all reach height {target}"


def check_acknowledged_txs(urls: list[str], acknowledged: list[str]) -> None:
    """Each acknowledged tx is in exactly one block, at the same height on every node, never twice."""
    heights: dict[str, int] = {}
    with ChainClient(urls[0]) as client:
        for hash_ in acknowledged:
            found = client.tx(hash_)
            assert found is not None, f"acknowledged tx {hash_} is not on {urls[0]}"
            heights[hash_] = found["height"]
    wait_common_height(urls, max(heights.values(), default=0))
    top = common_height(urls)
    for url in urls:
        with ChainClient(url) as client:
            included = Counter(h for height in range(1, top + 1) for h in client.block(height)["txs"])
            duplicates = [h for h, count in included.items() if count > 1]
            assert not duplicates, f"txs included twice on {url}: {duplicates[:5]}"
            for hash_, height in heights.items():
                assert client.tx(hash_)["height"] == height, f"{hash_} at another height on {url}"


def check_supply(urls: list[str], addresses: list[str]) -> None:
    for url in urls:
        with ChainClient(url) as client:
            supply = client.query("supply")
            assert int(supply["amount"]) == int(supply["genesis"]) + int(supply["minted"]) - int(supply["burned"]), supply
            total = sum(client.balance(address) for address in addresses)
            assert 0 <= total <= int(supply["amount"]), (total, supply)


def check_all(net: Devnet, acknowledged: list[str], addresses: list[str]) -> None:
    urls = chain_urls(net)
    check_headers_agree(urls)
    check_acknowledged_txs(urls, acknowledged)
    check_supply(urls, addresses)
