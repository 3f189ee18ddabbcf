"""A validator is SIGKILLed and restarted: the others keep committing, it catches up, every
node holds the same blocks and app hashes, and no committed tx is lost or included twice."""

from __future__ import annotations

import json
from collections import Counter

from click.testing import CliRunner

from gonka_lab.cli import main
from node.chain.client import ChainClient
from node.core.keys import AccountKey
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for
from tests.integration.chain_helpers import height, wait_blocks, wait_height

VICTIM = "p4-chain"
SURVIVORS = ["p1-chain", "p2-chain", "p3-chain"]


def _net(devnet: Devnet, *args: str) -> dict:
    result = CliRunner().invoke(main, ["net", *args, "--dir", str(devnet.dir), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _transfer(client: ChainClient, faucet: AccountKey, to: str, amount: int) -> str:
    result = client.send_tokens(faucet, to, amount, wait=True, timeout_s=20)
    assert result["check_code"] == 0, result
    assert result["committed"] and result["code"] == 0, result
    return result["hash"]


def test_kill_restart_catch_up_and_agree(devnet: Devnet) -> None:
    urls = {n.name: n.url for n in devnet.manifest.nodes}
    faucet = AccountKey.from_private_hex(devnet.manifest.faucet.private_key)
    recipients = [AccountKey.generate().address for _ in range(3)]
    sent: dict[str, int] = Counter()
    committed: list[str] = []

    wait_blocks(devnet, list(urls), 2)  # all four commit
    with ChainClient(urls["p1-chain"]) as client:
        for i, to in enumerate(recipients):
            committed.append(_transfer(client, faucet, to, 100 + i))
            sent[to] += 100 + i

        try:
            assert _net(devnet, "stop", "p4", "--kill") == {"name": VICTIM, "was_running": True}
            assert not devnet.is_running(devnet.node(VICTIM))
            wait_blocks(devnet, SURVIVORS, 3)  # three of four (> 2/3 power) keep committing
            for i, to in enumerate(recipients):
                committed.append(_transfer(client, faucet, to, 10 + i))
                sent[to] += 10 + i
            target = max(height(urls[name]) or 0 for name in SURVIVORS)
        finally:
            restarted = _net(devnet, "start", "p4")  # the shared network must end whole
        assert restarted["name"] == VICTIM and devnet.is_running(devnet.node(VICTIM))

    wait_height(urls[VICTIM], target)  # caught up with what was decided while it was down
    with ChainClient(urls[VICTIM]) as client:  # and takes part again: a tx sent through it commits
        committed.append(_transfer(client, faucet, recipients[0], 1))
        sent[recipients[0]] += 1
        # Block sync may flip on for a moment whenever a peer is a block ahead; it must settle.
        assert wait_for(lambda: not client.status()["catching_up"], 30), "p4 keeps catching up"
    status = {row["name"]: row for row in _net(devnet, "status")["nodes"]}
    assert all(row["running"] and row["height"] for row in status.values()), status

    clients = {name: ChainClient(url) for name, url in urls.items()}
    try:
        common = min(c.status()["height"] for c in clients.values())
        included: Counter[str] = Counter()
        for h in range(1, common + 1):
            blocks = {name: c.block(h) for name, c in clients.items()}
            reference = blocks["p1-chain"]
            for name, block in blocks.items():
                assert (block["height"], block["hash"], block["app_hash"]) == (
                    h, reference["hash"], reference["app_hash"]
                ), f"{name} disagrees with p1-chain at height {h}"
            included.update(reference["txs"])
        assert not [tx for tx, n in included.items() if n > 1], "a tx was included twice"
        for tx_hash in committed:
            assert included[tx_hash] == 1, f"committed tx {tx_hash} missing from the blocks"
            found = {name: c.tx(tx_hash) for name, c in clients.items()}
            assert all(f is not None and f["code"] == 0 for f in found.values()), found
            assert len({f["height"] for f in found.values()}) == 1, found
        for name, c in clients.items():
            for to, amount in sent.items():
                assert c.balance(to) == amount, (name, to)
    finally:
        for c in clients.values():
            c.close()
