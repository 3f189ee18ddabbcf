"""Validators in their own Linux network namespaces, joined by veth pairs to bridges.

Every namespace `gl-n<i>` has one veth (10.77.0.<i>/24) whose root-side end sits on
bridge `gl-br-a`. A partition moves some root-side ends to a second bridge `gl-br-b`:
nodes on different bridges can no longer reach each other, exactly like a cut cable.
Healing moves them back. Needs root (CI runs as root); everything is removed at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from node.chain.app.genesis import Genesis, GenesisAccount, GenesisValidator
from node.core.consensus_keys import ConsensusKey
from node.core.keys import AccountKey

PREFIX = "gl"
SUBNET = "10.77.0"
P2P_PORT = 26656
RPC_PORT = 9090
CHAIN_ID = "gonka-partition"


def sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True)


@dataclass
class NamespacedNode:
    index: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def namespace(self) -> str:
        return f"{PREFIX}-n{self.index}"

    @property
    def veth(self) -> str:
        return f"{PREFIX}-v{self.index}"

    @property
    def address(self) -> str:
        return f"{SUBNET}.{self.index}"


@dataclass
class NetnsLab:
    root: Path
    size: int
    nodes: list[NamespacedNode] = field(default_factory=list)

    def __enter__(self) -> NetnsLab:
        self._cleanup()
        for bridge in ("a", "b"):
            sh("ip", "link", "add", f"{PREFIX}-br-{bridge}", "type", "bridge")
            sh("ip", "link", "set", f"{PREFIX}-br-{bridge}", "up")
        for index in range(1, self.size + 1):
            node = NamespacedNode(index, self.root / f"n{index}")
            sh("ip", "netns", "add", node.namespace)
            sh("ip", "link", "add", node.veth, "type", "veth", "peer", "name", "eth0", "netns", node.namespace)
            sh("ip", "link", "set", node.veth, "master", f"{PREFIX}-br-a", "up")
            inside = ("ip", "netns", "exec", node.namespace)
            sh(*inside, "ip", "addr", "add", f"{node.address}/24", "dev", "eth0")
            sh(*inside, "ip", "link", "set", "eth0", "up")
            sh(*inside, "ip", "link", "set", "lo", "up")
            self.nodes.append(node)
        self._write_network()
        return self

    def __exit__(self, *exc: object) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                os.killpg(node.process.pid, signal.SIGKILL)
                node.process.wait(timeout=10)
        self._cleanup()

    def _cleanup(self) -> None:
        for index in range(1, 9):
            subprocess.run(["ip", "netns", "del", f"{PREFIX}-n{index}"], capture_output=True)
        for bridge in ("a", "b"):
            subprocess.run(["ip", "link", "del", f"{PREFIX}-br-{bridge}"], capture_output=True)

    def _write_network(self) -> None:
        keys = [ConsensusKey.generate() for _ in self.nodes]
        operators = [AccountKey.generate() for _ in self.nodes]
        genesis = Genesis(
            chain_id=CHAIN_ID,
            genesis_time_ms=0,
            params_profile="devnet",
            accounts=tuple(GenesisAccount(op.address, 10**12) for op in operators),
            validators=tuple(
                GenesisValidator(f"n{n.index}", op.address, key.public_key, 10)
                for n, op, key in zip(self.nodes, operators, keys)
            ),
        )
        for node, key in zip(self.nodes, keys):
            node.folder.mkdir(parents=True)
            genesis.dump(node.folder / "genesis.json")
            (node.folder / "consensus_key.json").write_text(
                json.dumps({"seed": key.seed.hex(), "public_key": key.public_key.hex()})
            )
            peers = [f"{other.address}:{P2P_PORT}" for other in self.nodes if other is not node]
            (node.folder / "config.toml").write_text(
                f'name = "n{node.index}"\nchain_id = "{CHAIN_ID}"\nhome = "."\ntimeouts = "devnet"\n'
                f'[p2p]\nlisten = "{node.address}:{P2P_PORT}"\npeers = {json.dumps(peers)}\n'
                f'[rpc]\nlisten = "127.0.0.1:{RPC_PORT}"\n'
            )

    def start(self) -> None:
        for node in self.nodes:
            log = open(node.folder / "chain.log", "wb")
            node.process = subprocess.Popen(
                ["ip", "netns", "exec", node.namespace, sys.executable, "-m", "gonka_lab.cli", "node", "chain",
                 "--config", str(node.folder / "config.toml")],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def partition(self, side_b: list[int]) -> None:
        for node in self.nodes:
            bridge = "b" if node.index in side_b else "a"
            sh("ip", "link", "set", node.veth, "master", f"{PREFIX}-br-{bridge}")

    def heal(self) -> None:
        self.partition([])

    def blocks(self, node: NamespacedNode) -> list[tuple[str, str]] | None:
        """(block hash, app hash) of every committed height, read inside the node's namespace."""
        script = (
            "import json; from node.chain.client import ChainClient\n"
            f"c = ChainClient('127.0.0.1:{RPC_PORT}', timeout_s=3)\n"
            "h = c.status()['height']\n"
            "print(json.dumps([[c.block(i)['hash'], c.block(i)['app_hash']] for i in range(1, h + 1)]))\n"
        )
        result = subprocess.run(
            ["ip", "netns", "exec", node.namespace, sys.executable, "-c", script],
            capture_output=True, text=True, timeout=60,
        )
        if result.returncode != 0:
            return None
        return [tuple(pair) for pair in json.loads(result.stdout)]
