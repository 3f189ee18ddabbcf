"""Files of one devnet chain node: its TOML config and its consensus key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import tomli_w

from node.core.consensus_keys import ConsensusKey

CONFIG_FILE = "config.toml"
GENESIS_FILE = "genesis.json"
CONSENSUS_KEY_FILE = "consensus_key.json"
DATA_DIR = "data"


def write_consensus_key(path: Path, key: ConsensusKey) -> None:
    # The seed signs votes: owner-only from the moment the file exists.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"seed": key.seed.hex(), "public_key": key.public_key.hex()}, f, indent=2)


def write_chain_config(
    folder: Path,
    *,
    name: str,
    chain_id: str,
    p2p_listen: str,
    peers: list[str],
    rpc_listen: str,
    timeouts: str = "devnet",
) -> Path:
    """Write folder/config.toml in the layout node.chain.server reads; paths are relative
    to the config's folder so the node folder can move."""
    config = {
        "name": name,
        "chain_id": chain_id,
        "home": DATA_DIR,
        "genesis": GENESIS_FILE,
        "consensus_key": CONSENSUS_KEY_FILE,
        "timeouts": timeouts,
        "p2p": {"listen": p2p_listen, "peers": peers},
        "rpc": {"listen": rpc_listen},
    }
    path = folder / CONFIG_FILE
    path.write_text(tomli_w.dumps(config))
    return path
