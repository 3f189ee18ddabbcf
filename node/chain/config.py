"""The chain node's TOML configuration.

    name = "p1"
    chain_id = "gonka-devnet"
    home = "."                          # data folder, relative to this file
    genesis = "genesis.json"            # relative to this file
    consensus_key = "consensus_key.json"
    timeouts = "devnet"                 # or "default"
    [p2p]
    listen = "127.0.0.1:26656"
    peers = ["127.0.0.1:26666"]
    [rpc]
    listen = "127.0.0.1:9090"
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from node.chain.consensus.timeouts import PROFILES, TimeoutProfile
from node.core.config_error import ConfigError
from node.core.consensus_keys import ConsensusKey


@dataclass(frozen=True)
class ChainNodeConfig:
    name: str
    chain_id: str
    home: Path
    genesis_path: Path
    consensus_key_path: Path
    timeouts: TimeoutProfile
    p2p_listen: str
    peers: list[str]
    rpc_listen: str

    @classmethod
    def load(cls, path: Path) -> ChainNodeConfig:
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read {path}: {error}") from error
        base = path.parent
        try:
            profile = data.get("timeouts", "devnet")
            if profile not in PROFILES:
                raise ConfigError(f"unknown timeouts profile {profile!r}; choose from {sorted(PROFILES)}")
            return cls(
                name=str(data["name"]),
                chain_id=str(data["chain_id"]),
                home=(base / data.get("home", ".")).resolve(),
                genesis_path=base / data.get("genesis", "genesis.json"),
                consensus_key_path=base / data.get("consensus_key", "consensus_key.json"),
                timeouts=PROFILES[profile],
                p2p_listen=str(data["p2p"]["listen"]),
                peers=[str(peer) for peer in data["p2p"].get("peers", [])],
                rpc_listen=str(data["rpc"]["listen"]),
            )
        except KeyError as error:
            raise ConfigError(f"{path}: missing setting {error}") from error

    def consensus_key(self) -> ConsensusKey:
        data = json.loads(self.consensus_key_path.read_text())
        return ConsensusKey.from_seed(bytes.fromhex(data["seed"]))
