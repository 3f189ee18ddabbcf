"""One participant's node folders and manifest entries: a chain node, and in a full network an
ML node and an api node beside it.

    DIR/<name>/chain/   config.toml, genesis.json, consensus_key.json, data/
    DIR/<name>/ml/      config.toml
    DIR/<name>/api/     config.toml, account_key.json, data/
    DIR/<name>/<kind>.log, DIR/<name>/<kind>.pid

Used by Devnet.create (genesis participants), Devnet.join (a host joining later) and
`gonka node init` (a host on another machine, whose folder holds chain/, ml/ and api/ directly).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from node.core.consensus_keys import ConsensusKey
from node.core.keys import AccountKey
from node.devnet.api_config import API_ADVERSARIES, write_api_config
from node.devnet.chain_config import CONFIG_FILE, GENESIS_FILE, write_chain_config, write_consensus_key
from node.devnet.kinds import KINDS
from node.devnet.manifest import NodeEntry
from node.devnet.ml_config import INFERENCE_ADVERSARIES, POW_ADVERSARIES, TRAINING_ADVERSARIES, write_ml_config

ADVERSARY_MODES = (*POW_ADVERSARIES, *INFERENCE_ADVERSARIES, *TRAINING_ADVERSARIES, *API_ADVERSARIES)
# listeners per participant: chain p2p and rpc, then the ML node's gRPC and the api node's HTTP
CHAIN_PORTS = ("p2p", "rpc")
ALL_PORTS = (*CHAIN_PORTS, "ml", "api")


@dataclass(frozen=True)
class ParticipantSpec:
    name: str
    account: AccountKey
    consensus: ConsensusKey
    ports: dict[str, int]  # keys: CHAIN_PORTS, plus "ml" and "api" in a full network
    adversary: str = ""
    host: str = "127.0.0.1"  # every listener binds here
    public_url: str = ""  # how others reach the api node (default: http://HOST:API_PORT)

    @property
    def full(self) -> bool:
        return "api" in self.ports

    def address(self, port: str) -> str:
        return f"{self.host}:{self.ports[port]}"

    @property
    def api_url(self) -> str:
        if not self.full:
            return ""
        return self.public_url or f"http://{self.address('api')}"


def write_participant_files(
    folder: Path, spec: ParticipantSpec, *, chain_id: str, genesis_path: Path, peers: list[str], timeouts: str,
    model: str,
) -> None:
    """Write folder/chain, and in a full network folder/ml and folder/api."""
    if spec.adversary and (not spec.full or spec.adversary not in ADVERSARY_MODES):
        raise ValueError(f"adversary {spec.adversary!r}: choose one of {', '.join(ADVERSARY_MODES)} (full network only)")
    chain = folder / "chain"
    chain.mkdir(parents=True)
    shutil.copyfile(genesis_path, chain / GENESIS_FILE)
    write_consensus_key(chain / "consensus_key.json", spec.consensus)
    write_chain_config(chain, name=spec.name, chain_id=chain_id, p2p_listen=spec.address("p2p"), peers=peers,
                       rpc_listen=spec.address("rpc"), timeouts=timeouts)
    if not spec.full:
        return
    write_ml_config(folder / "ml", name=f"{spec.name}-ml", grpc_listen=spec.address("ml"), model=model,
                    adversary=spec.adversary if spec.adversary not in API_ADVERSARIES else "")
    write_api_config(
        folder / "api",
        name=f"{spec.name}-api",
        key=spec.account,
        model=model,
        chain_url=spec.address("rpc"),
        public_listen=spec.address("api"),
        public_url=spec.api_url,
        ml_nodes=[spec.address("ml")],
        consensus_public_key=spec.consensus.public_key,
        adversary=spec.adversary if spec.adversary in API_ADVERSARIES else "",
    )


def _entry(spec: ParticipantSpec, kind: str, ports: dict[str, int], urls: dict[str, str], url: str) -> NodeEntry:
    config = f"{spec.name}/{kind}/{CONFIG_FILE}"
    return NodeEntry(
        name=f"{spec.name}-{kind}",
        kind=kind,
        participant=spec.name,
        ports=ports,
        urls=urls,
        url=url,
        config=config,
        log=f"{spec.name}/{kind}.log",
        pid_file=f"{spec.name}/{kind}.pid",
        argv=KINDS[kind].argv(config),
    )


def participant_nodes(spec: ParticipantSpec) -> list[NodeEntry]:
    """The manifest entries of a participant whose folder is NETWORK_DIR/<name> (chain first)."""
    rpc = spec.address("rpc")
    nodes = [_entry(spec, "chain", {k: spec.ports[k] for k in CHAIN_PORTS}, {"p2p": spec.address("p2p"), "rpc": rpc},
                    rpc)]
    if spec.full:
        ml = spec.address("ml")
        nodes.append(_entry(spec, "ml", {"grpc": spec.ports["ml"]}, {"grpc": ml}, ml))
        nodes.append(_entry(spec, "api", {"public": spec.ports["api"]}, {"public": spec.api_url}, spec.api_url))
    return nodes
