"""The user commands end to end against the shared devnet: keys, net fund/status/logs, tx, query."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gonka_lab.cli import main
from node.devnet.network import Devnet


def gonka(*args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def test_user_flow(devnet: Devnet, home: Path) -> None:
    alice = gonka("keys", "add", "alice")["address"]
    bob = gonka("keys", "add", "bob")["address"]

    funded = gonka("net", "fund", alice, "5000", "--wait")
    assert funded["code"] == 0 and funded["height"] > 0
    assert gonka("query", "balance", alice)["amount"] == 5000  # default node: the devnet's first

    sent = gonka("tx", "send", "alice", bob, "1200", "--wait", "--node", devnet.node("p2").url)
    assert sent["code"] == 0 and sent["committed"] and len(sent["hash"]) == 64
    found = gonka("query", "tx", sent["hash"].lower(), "--node", devnet.node("p3").url)
    assert (found["hash"], found["height"], found["code"]) == (sent["hash"], sent["height"], 0)
    block = gonka("query", "block", str(sent["height"]))
    assert block["height"] == sent["height"] and sent["hash"] in block["txs"]
    assert len(block["hash"]) == 64 and len(block["app_hash"]) == 64
    assert gonka("query", "block")["height"] >= sent["height"]

    assert gonka("query", "account", alice)["sequence"] == 1
    assert gonka("query", "balance", alice)["amount"] == 3800
    assert gonka("query", "balance", bob)["amount"] == 1200
    assert len(gonka("query", "validators")["validators"]) == 4
    assert gonka("query", "params") and gonka("query", "epoch") is not None

    status = gonka("net", "status")
    assert status["chain_id"] == devnet.manifest.chain_id
    assert [n["name"] for n in status["nodes"]] == ["p1-chain", "p2-chain", "p3-chain", "p4-chain"]
    assert all(n["running"] and n["height"] >= sent["height"] and n["pid"] for n in status["nodes"])
    assert gonka("net", "logs", "p1", "-n", "3")["name"] == "p1-chain"


def test_failed_tx_is_reported(devnet: Devnet, home: Path) -> None:
    gonka("keys", "add", "pauper")  # an account that holds nothing
    rich = gonka("keys", "add", "rich")["address"]
    gonka("net", "fund", rich, "10", "--wait")
    result = CliRunner().invoke(main, ["tx", "send", "rich", rich, "1000", "--wait", "--json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert error["error"] and "hash" in error
    assert gonka("query", "balance", rich)["amount"] == 10


def test_net_up_returns_while_nodes_keep_running(tmp_path: Path) -> None:
    """`gonka net up` in its own process: it exits, the node it started goes on committing."""
    net_dir = tmp_path / "solo"
    env = {**os.environ, "GONKA_HOME": str(tmp_path / "home")}
    cli = [sys.executable, "-m", "gonka_lab.cli", "net"]
    up = subprocess.run([*cli, "up", "-n", "1", "--only", "chain", "--dir", str(net_dir), "--json"], env=env,
                        capture_output=True, text=True, timeout=120)
    try:
        assert up.returncode == 0, up.stderr
        (node,) = json.loads(up.stdout)["nodes"]
        assert node["name"] == "p1-chain" and node["running"] and node["height"] >= 2
        net = Devnet.open(net_dir)
        assert net.is_running(net.node("p1"))
        assert (net_dir / "p1" / "chain.log").is_file() and (net_dir / "p1" / "chain.pid").is_file()
    finally:
        down = subprocess.run([*cli, "down", "--purge", "--dir", str(net_dir), "--json"], env=env,
                              capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    assert json.loads(down.stdout)["stopped"] == ["p1-chain"]
    assert not net_dir.exists()
