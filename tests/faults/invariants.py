"""Invariants checked on every node after every fault scenario.

- identical block hash and app hash at every height all nodes have;
- every acknowledged tx in exactly one block, at the same height on every node; no tx twice;
- supply conserved: it changes only by minted rewards and burns/slashes;
- no account balance is negative (balances are unsigned on chain; a wrapped value would show
  up as an absurd amount, so balances are also bounded by the supply);
- full networks: every inference an api node accepted ends on chain as FINISHED, VALIDATED,
  INVALIDATED, or EXPIRED with its whole escrow refunded.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from node.chain.client import ChainClient
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for
from tests.integration.network_fixtures import FINAL, Network

POLL_S = 0.1
ACCOUNTED_WITHIN_S = 90  # expiry is 10 blocks after a Start; validation votes close within ~10 more


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
            views = {(block["hash"], block["app_hash"]) for block in (c.block(height) for c in clients)}
            assert len(views) == 1, f"nodes disagree at height {height}: {views}"
    finally:
        for client in clients:
            client.close()
    return top


def wait_common_height(urls: list[str], target: int, timeout_s: float = 60) -> None:
    reached = wait_for(lambda: common_height(urls) >= target, timeout_s, POLL_S)
    assert reached, f"nodes did not all reach height {target}"


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


def check_inferences_accounted(
    network: Network, accepted: list[str], within_s: float = ACCOUNTED_WITHIN_S
) -> dict[str, dict[str, Any]]:
    """Every accepted inference reaches a final status on chain within `within_s`; an expired
    one got its whole escrow back. Returns the records."""
    pending = list(dict.fromkeys(accepted))
    records: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + within_s
    while pending:
        record = network.record(pending[0])
        if record is not None and record["status"] in FINAL:
            records[pending.pop(0)] = record
            continue
        if time.monotonic() >= deadline:
            missing = {i: (network.record(i) or {}).get("status", "not on chain") for i in pending}
            raise AssertionError(f"{len(missing)} of {len(accepted)} accepted inferences not accounted for: "
                                 f"{dict(list(missing.items())[:5])}")
        time.sleep(0.5)  # polling the chain for the record, with a deadline
    for inference_id, record in records.items():
        if record["status"] == "EXPIRED":
            refunds = network.events.find("inference_expired", inference_id=inference_id)
            assert refunds and int(refunds[0]["refund"]) == int(record["escrow"]), (inference_id, record, refunds)
    return records


def full_network_addresses(network: Network, extra: list[str]) -> list[str]:
    manifest = network.net.manifest
    return [manifest.faucet.address, *(p.address for p in manifest.participants), *extra]


def check_full(network: Network, accepted: list[str], developers: list[str]) -> None:
    """check_all on a full network, then every accepted inference accounted for."""
    check_all(network.net, [], full_network_addresses(network, developers))
    check_inferences_accounted(network, accepted)
