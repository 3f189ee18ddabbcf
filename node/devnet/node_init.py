"""`gonka node init`: prepare a host that joins an existing network from another machine.

Writes DIR/chain (config, the network's genesis, a new consensus key), DIR/ml and DIR/api
(config and a new account key): the three processes of one participant, its chain node peering
with the given nodes of the network. Nothing starts: the account must be funded first, then
`gonka node chain|ml|api --config DIR/<kind>/config.toml` run it; the api node registers the
participant with its public url and consensus key, and the host sprints from the next PoC on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from node.chain.app.genesis import Genesis, GenesisError
from node.core.consensus_keys import ConsensusKey
from node.core.keys import AccountKey
from node.devnet.chain_config import CONFIG_FILE
from node.devnet.participant import ParticipantSpec, write_participant_files

DEFAULT_PORTS = {"p2p": 26656, "rpc": 26657, "ml": 9300, "api": 9000}  # the reference's port layout


class NodeInitError(ValueError):
    pass


@dataclass(frozen=True)
class PreparedNode:
    name: str
    address: str  # the account to fund before starting
    chain_id: str
    model: str
    configs: dict[str, str]  # kind -> config path

    def commands(self) -> list[str]:
        return [f"gonka node {kind} --config {path}" for kind, path in self.configs.items()]


def init_node(
    directory: Path, genesis_file: Path, peers: list[str], *, name: str = "node", host: str = "127.0.0.1",
    ports: dict[str, int] | None = None, public_url: str = "", timeouts: str = "default",
) -> PreparedNode:
    if not peers:
        raise NodeInitError("give at least one --peer HOST:PORT (a chain node's p2p address)")
    if directory.exists() and any(directory.iterdir()):
        raise NodeInitError(f"{directory} is not empty; choose an empty or new folder")
    try:
        genesis = Genesis.load(genesis_file)
    except (OSError, GenesisError) as error:
        raise NodeInitError(f"cannot use genesis {genesis_file}: {error}") from None
    model = genesis.model_registry()[0].id
    spec = ParticipantSpec(name, AccountKey.generate(), ConsensusKey.generate(), DEFAULT_PORTS | (ports or {}),
                           host=host, public_url=public_url)
    write_participant_files(directory, spec, chain_id=genesis.chain_id, genesis_path=genesis_file, peers=peers,
                            timeouts=timeouts, model=model)
    configs = {kind: str(directory / kind / CONFIG_FILE) for kind in ("chain", "ml", "api")}
    return PreparedNode(name, spec.account.address, genesis.chain_id, model, configs)
