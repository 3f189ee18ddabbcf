"""A local network on 127.0.0.1: create its folder, run and stop its node processes, report
their state. Used by `gonka net`, the demo and the integration tests.

Folder layout:
    DIR/network.json                   manifest (nodes, ports, keys, chain id)
    DIR/genesis.json                   the network's genesis
    DIR/<participant>/chain/           config.toml, genesis.json, consensus_key.json, data/
    DIR/<participant>/ml/, api/        a full network's ML and api nodes (see participant.py)
    DIR/<participant>/<kind>.log       each node's stdout and stderr
    DIR/<participant>/<kind>.pid
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from node.chain.app.params.profiles import resolve_params
from node.chain.client import ChainClient
from node.core.consensus_keys import ConsensusKey
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.core.tx import build_tx, register_message
from node.devnet import manifest as manifest_io
from node.devnet import supervisor
from node.devnet.chain_config import GENESIS_FILE
from node.devnet.genesis import GNK, PARTICIPANT_BALANCE, GenesisParticipant, write_genesis
from node.devnet.kinds import KINDS
from node.devnet.manifest import AccountEntry, Manifest, ManifestError, NodeEntry
from node.devnet.participant import (
    ADVERSARY_MODES,
    ALL_PORTS,
    CHAIN_PORTS,
    ParticipantSpec,
    participant_nodes,
    write_participant_files,
)
from node.devnet.ports import free_ports
from node.proto.gonka.collateral_pb2 import MsgDepositCollateral

DEFAULT_CHAIN_ID = "gonka-devnet"
MODES = ("chain", "all")
MAX_PARTICIPANTS = 32
DEFAULT_READY_TIMEOUT_S = 120.0  # a full network loads a model per ML node first
DEFAULT_MODEL = "devnet-llama-10m-seed0"  # the devnet profile's registry model (seeded, nothing to download)
HOST_COLLATERAL = 1000 * GNK  # each host's deposit: 0.1 % of its genesis balance
DEPOSIT_ATTEMPTS = 5
DEPOSIT_WAIT_S = 15.0  # for its block (a deposit the mempool drops is told at once, not at the timeout)
# what a deposit racing the api node's txs for one sequence may get: admitted but not in a block yet
# (0), refused (wrong sequence, or this very tx still pending), or run after the other (wrong sequence)
_SEQUENCE_RACE = (0, TxCode.WRONG_SEQUENCE, TxCode.TX_IN_MEMPOOL)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
LOG_LINES_ON_FAILURE = 30


register_message(MsgDepositCollateral)


class DevnetError(Exception):
    """A network operation failed; the message says which node and why (with its last log lines)."""


def _participant_names(count: int) -> list[str]:
    return [f"p{i}" for i in range(1, count + 1)]


def _timeouts(full: bool) -> str:
    # A full network runs ~1 s blocks (CometBFT's default timeouts), the pace the devnet params
    # profile's PoC stages are sized for; a chain-only network runs as fast as it can.
    return "default" if full else "devnet"


def _check_adversaries(adversaries: Mapping[str, str], names: list[str], only: str) -> None:
    if adversaries and only != "all":
        raise DevnetError("adversaries need a full network (--only all)")
    for name, mode in adversaries.items():
        if name not in names:
            raise DevnetError(f"--adversary {name}={mode}: no participant {name!r} (participants: {', '.join(names)})")
        if mode not in ADVERSARY_MODES:
            raise DevnetError(f"--adversary {name}={mode}: unknown mode; choose one of {', '.join(ADVERSARY_MODES)}")


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
        reset: bool = False, adversaries: Mapping[str, str] | None = None, model: str = DEFAULT_MODEL,
        params_overrides: Mapping[str, Any] | None = None,
    ) -> Devnet:
        """Write keys, genesis, configs and the manifest of a fresh network; start nothing.
        `only="all"` adds an ML node and an api node per participant; `adversaries` maps a
        participant name ("p2") to an adversary mode (full networks only); `params_overrides`
        change the devnet params profile, e.g. {"epoch": {"epoch_length": 400}}."""
        if only not in MODES:
            raise DevnetError(f"unknown --only {only!r}; choose one of {', '.join(MODES)}")
        if not 1 <= participants <= MAX_PARTICIPANTS:
            raise DevnetError(f"--participants must be between 1 and {MAX_PARTICIPANTS}, got {participants}")
        names = _participant_names(participants)
        adversaries = dict(adversaries or {})
        _check_adversaries(adversaries, names, only)
        try:
            resolve_params("devnet", params_overrides or {})
        except ValueError as err:
            raise DevnetError(f"params overrides: {err}") from None
        _prepare_folder(directory, reset)

        full = only == "all"
        faucet = AccountKey.generate()
        port_names = ALL_PORTS if full else CHAIN_PORTS
        ports = iter(free_ports(len(port_names) * participants))
        specs = [
            ParticipantSpec(name, AccountKey.generate(), ConsensusKey.generate(),
                            {port: next(ports) for port in port_names}, adversaries.get(name, ""))
            for name in names
        ]
        genesis_path = directory / GENESIS_FILE
        write_genesis(
            genesis_path,
            chain_id=chain_id,
            faucet_address=faucet.address,
            participants=[
                GenesisParticipant(s.name, s.account.address, s.consensus.public_key, s.api_url,
                                   s.account.public_key if full else None)
                for s in specs
            ],
            faucet_public_key=faucet.public_key if full else None,
            params_overrides=params_overrides,
        )
        nodes = []
        for spec in specs:
            peers = [other.address("p2p") for other in specs if other is not spec]
            write_participant_files(directory / spec.name, spec, chain_id=chain_id, genesis_path=genesis_path,
                                    peers=peers, timeouts=_timeouts(full), model=model)
            nodes += participant_nodes(spec)
        manifest = Manifest(
            chain_id=chain_id,
            faucet=AccountEntry("faucet", faucet.address, faucet.private_hex),
            participants=[AccountEntry(s.name, s.account.address, s.account.private_hex, s.adversary) for s in specs],
            nodes=nodes,
            created_ms=int(time.time() * 1000),
            model=model if full else "",
        )
        manifest_io.save(directory, manifest)
        return cls(directory, manifest)

    @classmethod
    def up(
        cls, directory: Path, participants: int = 3, only: str = "chain", chain_id: str = DEFAULT_CHAIN_ID,
        timeout_s: float = DEFAULT_READY_TIMEOUT_S, reset: bool = False,
        adversaries: Mapping[str, str] | None = None, params_overrides: Mapping[str, Any] | None = None,
    ) -> Devnet:
        """Create a network, start every node and return once all of them are ready (chain nodes
        commit blocks, ML nodes answer, api nodes serve HTTP). On failure every node is stopped
        (the folder stays for its logs) and DevnetError says why."""
        net = cls.create(directory, participants, only, chain_id, reset, adversaries,
                         params_overrides=params_overrides)
        try:
            net._start_in_order(net.manifest.nodes, timeout_s)
        except BaseException:
            net.down(purge=False)
            raise
        return net

    def join(self, name: str, timeout_s: float = DEFAULT_READY_TIMEOUT_S, adversary: str = "") -> list[NodeEntry]:
        """Add a host to this running full network: new keys, an account funded by the faucet, a
        chain node that follows the chain from genesis (a full node: its consensus key is no
        validator until PoC weight makes it one), an ML node and an api node, which registers the
        participant. Returns once all three are ready; the host sprints from the next PoC on."""
        if not self.manifest.model:
            raise DevnetError("join needs a full network (`gonka net up --only all`)")
        if not _NAME.fullmatch(name) or any(p.name == name for p in self.manifest.participants):
            raise DevnetError(f"participant name {name!r} is taken or invalid (letters, digits, '_', '-'; max 32)")
        _check_adversaries({name: adversary} if adversary else {}, [name], "all")
        spec = ParticipantSpec(name, AccountKey.generate(), ConsensusKey.generate(),
                               dict(zip(ALL_PORTS, free_ports(len(ALL_PORTS)))), adversary)
        # Funded before its api node starts, which waits for the account and then registers.
        funded = self.fund(spec.account.address, PARTICIPANT_BALANCE, wait=True, timeout_s=30)
        if funded["check_code"] != 0 or not funded["committed"] or funded["code"] != 0:
            raise DevnetError(f"funding {name} from the faucet failed: {funded}")
        peers = [node.urls["p2p"] for node in self.manifest.nodes_of("chain")]
        write_participant_files(self.dir / name, spec, chain_id=self.manifest.chain_id,
                                genesis_path=self.dir / GENESIS_FILE, peers=peers, timeouts=_timeouts(True),
                                model=self.manifest.model)
        nodes = participant_nodes(spec)
        self.manifest.participants.append(
            AccountEntry(name, spec.account.address, spec.account.private_hex, adversary))
        self.manifest.nodes += nodes
        manifest_io.save(self.dir, self.manifest)
        try:
            self._start_in_order(nodes, timeout_s)
        except BaseException:
            supervisor.stop_all([self._target(n) for n in nodes])
            raise
        return nodes

    def _start_in_order(self, nodes: list[NodeEntry], timeout_s: float) -> None:
        """ML nodes first (loading a model takes the longest), then the chain nodes, then the api
        nodes: the chain's first PoC comes a fixed number of blocks after its start, and every
        api node must be serving by then to take part in it. Then the hosts' collateral."""
        deadline = time.monotonic() + timeout_s
        ml_nodes = [n for n in nodes if n.kind == "ml"]
        for node in ml_nodes:
            self._launch(node)
        self.wait_ready(ml_nodes, timeout_s)
        chains = [n for n in nodes if n.kind == "chain"]
        for node in chains:
            self._launch(node)
        self.wait_ready(chains, max(1.0, deadline - time.monotonic()))
        apis = [n for n in nodes if n.kind == "api"]
        for node in apis:
            self._launch(node)
        self.wait_ready(apis, max(1.0, deadline - time.monotonic()))
        # Once registered (a joining host registers through its api node), every host puts up collateral.
        for host in self.manifest.participants:
            if any(n.participant == host.name for n in apis):
                self._deposit_collateral(host)

    def _deposit_collateral(self, host: AccountEntry) -> None:
        """The host deposits HOST_COLLATERAL, so that a convicted cheater has something to be slashed.

        Its api node sends txs from the same account (registration, seed, PoC verdicts — a host that
        joins inside a PoC sends several at once): a deposit signed with a sequence that one of them
        takes is refused at once (WRONG_SEQUENCE) or, if both were admitted, dropped from the mempool
        when the other's block lands (the wait answers WRONG_SEQUENCE then too). Either way it is
        signed again with the new sequence, once the chain shows no deposit (so it is never made twice).
        """
        key = AccountKey.from_private_hex(host.private_key)
        deposit = MsgDepositCollateral(creator=key.address, amount=HOST_COLLATERAL)
        result: dict[str, Any] = {}
        with self.client() as client:
            chain_id = client.status()["chain_id"]
            for _ in range(DEPOSIT_ATTEMPTS):
                account = client.query("account", address=key.address)
                raw = build_tx(key, chain_id, int(account["account_number"]), int(account["sequence"]), [deposit])
                result = client.broadcast_tx(raw, wait=True, timeout_s=DEPOSIT_WAIT_S)
                if result.get("committed") and result["code"] == 0:
                    return
                lost_race = result["check_code"] in _SEQUENCE_RACE and result.get("code", 0) in _SEQUENCE_RACE
                if not lost_race:
                    break
                if int(client.query("collateral", address=key.address)["active"]) >= HOST_COLLATERAL:
                    return  # it landed after all, once the wait had ended
                height = client.status()["height"]  # the api node's tx holds the sequence until its block
                supervisor.wait_for(lambda: client.status()["height"] > height, 10.0)
        raise DevnetError(f"{host.name}'s collateral deposit failed: {result}")

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
            live = (self.probe(node) if running else None) or {}
            rows.append(
                {
                    "name": node.name,
                    "kind": node.kind,
                    "participant": node.participant,
                    "pid": self.pid(node) if running else None,
                    "running": running,
                    "url": node.url,
                    "height": live.get("height"),
                    "app_hash": live.get("app_hash"),
                    "block_hash": live.get("latest_block_hash"),
                    "catching_up": live.get("catching_up"),
                    "peers": live.get("peers_connected"),
                    "mempool": live.get("mempool_size"),
                    "state": live.get("state"),  # ML nodes: INFERENCE, POW, STOPPED …
                }
            )
        return rows

    def participants_status(self) -> list[dict[str, Any]]:
        """Every registered host as the chain sees it (weight, voting power, reputation, executor
        status, balance), with its epoch and phase and, for this network's own, its name."""
        names = {p.address: p.name for p in self.manifest.participants}
        with self.client() as client:
            epoch = client.query("epoch")
            hosts = [p for p in client.query("participants")["participants"] if p["kind"] == "PARTICIPANT_KIND_HOST"]
        return [
            {
                "name": names.get(host["address"], ""),
                "address": host["address"],
                "api_url": host["url"],
                "epoch": epoch["epoch_index"],
                "phase": epoch["phase"],
                "weight": host["weight"],
                "voting_power": host["voting_power"],
                "reputation": host["reputation"],
                "status": host["status"],
                "balance": host["balance"],
            }
            for host in sorted(hosts, key=lambda h: (names.get(h["address"]) is None, names.get(h["address"], ""),
                                                     h["address"]))
        ]

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
