"""Every node's state follows from its stored blocks alone: replaying them gives the same app hash at every height."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from node.core.keys import AccountKey
from node.devnet.network import Devnet


def test_replaying_stored_blocks_reproduces_every_app_hash(devnet: Devnet) -> None:
    # a few state changes to replay, not only empty blocks
    for amount in (1, 22, 333):
        committed = devnet.fund(AccountKey.generate().address, amount, wait=True)
        assert committed["committed"] and committed["code"] == 0
    for node in devnet.manifest.nodes:
        with devnet.client(node.participant) as client:
            deadline = time.monotonic() + 30
            while client.status()["height"] < committed["height"]:
                assert time.monotonic() < deadline, f"{node.name} did not reach height {committed['height']}"
        result = subprocess.run(
            [sys.executable, "-m", "gonka_lab.cli", "node", "replay", "--config", str(devnet.dir / node.config), "--json"],
            capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["mismatches"] == []
        assert summary["heights"] >= committed["height"]
