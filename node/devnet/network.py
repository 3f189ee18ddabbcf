"""A local network on 127.0.0.1: create its folder, run and stop its node processes, report
their state. Used by `gonka net`, the demo and the integration tests.

Folder layout:
    DIR/network.json                   manifest (nodes, ports, keys, chain id)
    DIR/genesis.json                   the network's genesis
    DIR/<participant>/chain/           config.toml, genesis.json, consensus_key.json, data/
    DIR/<participant>/chain.log        the chain node's stdout and stderr
    DIR/<participant>/chain.pid
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from node.chain.client import ChainClient
from node.core.consensus_keys import ConsensusKey
from node.core.keys import AccountKey
from node.devnet import manifest as manifest_io
from node.devnet import supervisor
from node.devnet.chain_config import CONFIG_FILE, GENESIS_FILE, write_chain_config, write_consensus_key
from node.devnet.genesis import GenesisParticipant, write_genesis
from node.devnet.kinds import KINDS
from node.devnet.manifest import AccountEntry, Manifest, ManifestError, NodeEntry
from node.devnet.ports import free_ports

DEFAULT_CHAIN_ID = "gonka-devnet"
MODES = ("chain", "all")
MAX_PARTICIPANTS = 32
DEFAULT_READY_TIMEOUT_S = 60.0
LOG_LINES_ON_FAILURE = 30


class DevnetError(Exception):
    """A network operation failed; the message says which node and why (with its last log lines)."""


def _participant_names(count: int) -> list[str]:
    return [f"p{i}" for i in range(1, count + 1)]


def _prepare_folder(directory: Path, reset: bool) -> None:
    if manifest_io.exists(directory):
        if not reset:
            raise DevnetError(
                f"a network already exists in {directory}; stop it with `gonka net down --purge` or pass --reset"
            )
        Devnet.open(directory).down(purge=True)
    elif directory.exists() and any(directory.iterdir()):
        # Never wipe a folder that is not ours.
        raise DevnetError(f"{directory} is not empty and holds no network; choose an empty or new folder")
    directory.mkdir(parents=True, exist_ok=True)


class Devnet:
    def __init__(self, directory: Path, manifest: Manifest) -> None:
        self.dir = directory
        self.manifest = manifest

    @classmethod
    def open(cls, directory: Path) -> Devnet:
        try:
            return cls(directory, manifest_io.load(directory))
        except ManifestError as err:
            raise DevnetError(str(err)) from None

    @classmethod
    def create(
        cls, directory: Path, participants: int = 3, only: str = "chain", chain_id: str = DEFAULT_CHAIN_ID,
        reset: bool = False,
    ) -> Devnet:
        """Write keys, genesis, configs and the manifest of a fresh network; start nothing."""
        if only not in MODES:
            raise DevnetError(f"unknown --only {only!r}; choose one of {', '.join(MODES)}")
        if only == "all":
            raise DevnetError("--only all (chain + api + ML nodes) is not available yet; use --only chain")
        if not 1 <= participants <= MAX_PARTICIPANTS:
            raise DevnetError(f"--participants must be between 1 and {MAX_PARTICIPANTS}, got {participants}")
        _prepare_folder(directory, reset)

        names = _participant_names(participants)
        faucet = AccountKey.generate()
        accounts = {name: AccountKey.generate() for name in names}
        consensus = {name: ConsensusKey.generate() for name in names}
        ports = free_ports(2 * participants)
        p2p = {name: ports[2 * i] for i, name in enumerate(names)}
        rpc = {name: ports[2 * i + 1] for i, name in enumerate(names)}

        genesis_path = directory / GENESIS_FILE
        write_genesis(
            genesis_path,
            chain_id=chain_id,
            faucet_address=faucet.address,
            participants=[
                GenesisParticipant(name, accounts[name].address, consensus[name].public_key) for name in names
            ],
        )
        nodes = []
        for name in names:
            folder = directory / name / "chain"
            folder.mkdir(parents=True)
            shutil.copyfile(genesis_path, folder / GENESIS_FILE)
            write_consensus_key(folder / "consensus_key.json", consensus[name])
            write_chain_config(
                folder,
                name=name,
                chain_id=chain_id,
                p2p_listen=f"127.0.0.1:{p2p[name]}",
                peers=[f"127.0.0.1:{p2p[other]}" for other in names if other != name],
                rpc_listen=f"127.0.0.1:{rpc[name]}",
            )
            config = f"{name}/chain/{CONFIG_FILE}"
            rpc_url = f"127.0.0.1:{rpc[name]}"
            nodes.append(
                NodeEntry(
                    name=f"{name}-chain",
                    kind="chain",
                    participant=name,
                    ports={"p2p": p2p[name], "rpc": rpc[name]},
                    urls={"p2p": f"127.0.0.1:{p2p[name]}", "rpc": rpc_url},
                    url=rpc_url,
                    config=config,
                    log=f"{name}/chain.log",
                    pid_file=f"{name}/chain.pid",
                    argv=KINDS["chain"].argv(config),
                )
            )
        manifest = Manifest(
            chain_id=chain_id,
            faucet=AccountEntry("faucet", faucet.address, faucet.private_hex),
            participants=[AccountEntry(n, accounts[n].address, accounts[n].private_hex) for n in names],
            nodes=nodes,
            created_ms=int(time.time() * 1000),
        )
        manifest_io.save(directory, manifest)
        return cls(directory, manifest)

    @classmethod
    def up(
        cls, directory: Path, participants: int = 3, only: str = "chain", chain_id: str = DEFAULT_CHAIN_ID,
        timeout_s: float = DEFAULT_READY_TIMEOUT_S, reset: bool = False,
    ) -> Devnet:
        """Create a network, start every node and return once all of them commit blocks.
        On failure every node is stopped (the folder stays for its logs) and DevnetError says why."""
        net = cls.create(directory, participants, only, chain_id, reset)
        try:
            for node in net.manifest.nodes:
                net._launch(node)
            net.wait_ready(net.manifest.nodes, timeout_s)
        except BaseException:
            net.down(purge=False)
            raise
        return net

    # -- single nodes ---------------------------------------------------------------------

    def node(self, name: str) -> NodeEntry:
        try:
            return self.manifest.node(name)
        except ManifestError as err:
            raise DevnetError(str(err)) from None

    def _spec(self, node: NodeEntry) -> supervisor.ProcessSpec:
        return supervisor.ProcessSpec(
            argv=node.argv,
            cwd=self.dir,
            log=self.dir / node.log,
            pid_file=self.dir / node.pid_file,
            marker=node.config,
        )

    def _target(self, node: NodeEntry) -> supervisor.Target:
        return (self.pid(node), node.config, self.dir)

    def pid(self, node: NodeEntry) -> int | None:
        return supervisor.read_pid(self.dir / node.pid_file)

    def is_running(self, node: NodeEntry) -> bool:
        return supervisor.is_running(*self._target(node))

    def _launch(self, node: NodeEntry) -> None:
        node.pid = supervisor.launch(self._spec(node))
        manifest_io.save(self.dir, self.manifest)

    def start(self, name: str, wait: bool = True, timeout_s: float = DEFAULT_READY_TIMEOUT_S) -> NodeEntry:
        """Restart a stopped node from its existing data; with `wait`, return once it answers."""
        node = self.node(name)
        if self.is_running(node):
            raise DevnetError(f"{node.name} is already running (pid {self.pid(node)})")
        self._launch(node)
        if wait:
            self.wait_ready([node], timeout_s)
        return node

    def stop(self, name: str, kill: bool = False, grace_s: float = 10.0) -> bool:
        """SIGTERM (SIGKILL after `grace_s`), or SIGKILL at once with `kill`.
        Returns False if the node was not running."""
        return supervisor.stop_all([self._target(self.node(name))], grace_s=grace_s, kill=kill)[0]

    def log_path(self, name: str) -> Path:
        return self.dir / self.node(name).log

    def logs(self, name: str, lines: int = 50) -> list[str]:
        return supervisor.tail(self.log_path(name), lines)

    def probe(self, node: NodeEntry) -> dict[str, Any] | None:
        return KINDS[node.kind].probe(node.url)

    # -- the whole network ------------------------------------------------------------------

    def wait_ready(self, nodes: list[NodeEntry], timeout_s: float) -> None:
        """Poll until every node is ready; fail fast when one exits, with its last log lines."""
        pending = list(nodes)

        def check() -> bool:
            for node in list(pending):
                if not self.is_running(node):
                    raise DevnetError(self._failure(node, "exited during startup"))
                status = self.probe(node)
                if status is not None and KINDS[node.kind].ready(status):
                    pending.remove(node)
            return not pending

        if not supervisor.wait_for(check, timeout_s, interval_s=0.25):
            raise DevnetError(self._failure(pending[0], f"not ready after {timeout_s:.0f} s"))

    def _failure(self, node: NodeEntry, what: str) -> str:
        lines = self.logs(node.name, LOG_LINES_ON_FAILURE)
        shown = "\n".join(f"  | {line}" for line in lines) or "  | (log is empty)"
        return f"{node.name} {what}; last lines of {self.dir / node.log}:\n{shown}"

    def status(self) -> list[dict[str, Any]]:
        rows = []
        for node in self.manifest.nodes:
            running = self.is_running(node)
            live = self.probe(node) if running else None
            rows.append(
                {
                    "name": node.name,
                    "kind": node.kind,
                    "participant": node.participant,
                    "pid": self.pid(node) if running else None,
                    "running": running,
                    "url": node.url,
                    "height": live["height"] if live else None,
                    "app_hash": live["app_hash"] if live else None,
                    "block_hash": live["latest_block_hash"] if live else None,
                    "catching_up": live["catching_up"] if live else None,
                    "peers": live["peers_connected"] if live else None,
                    "mempool": live["mempool_size"] if live else None,
                }
            )
        return rows

    def down(self, purge: bool = False) -> list[str]:
        """Stop every node (SIGTERM, then SIGKILL); with `purge` delete the folder too.
        Returns the names of the nodes that were running."""
        nodes = self.manifest.nodes
        was_running = supervisor.stop_all([self._target(n) for n in nodes])
        stopped = [n.name for n, up in zip(nodes, was_running) if up]
        if purge:
            shutil.rmtree(self.dir)
        return stopped

    def client(self, name: str | None = None) -> ChainClient:
        """A client of the named chain node, else of the first running one."""
        if name is not None:
            return ChainClient(self.node(name).url)
        for node in self.manifest.nodes_of("chain"):
            if self.is_running(node):
                return ChainClient(node.url)
        raise DevnetError(f"no chain node of the network in {self.dir} is running; `gonka net start NODE`")

    def fund(self, address: str, amount: int, wait: bool = False, timeout_s: float = 10.0) -> dict[str, Any]:
        """Send `amount` ngonka from the faucet to `address`."""
        faucet = AccountKey.from_private_hex(self.manifest.faucet.private_key)
        with self.client() as client:
            return client.send_tokens(faucet, address, amount, wait=wait, timeout_s=timeout_s)
