"""What the magics remember between cells: the network they drive and where its endpoints are.

A session points at a local devnet folder (started with `%gonka net up` or found in
$GONKA_DEVNET_DIR / $GONKA_HOME/devnet), or at a remote chain node and api node given with
`%gonka connect`. Every subcommand asks the session for its chain client, api url and ledger file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gonka_lab.home import HomeError, Keyring, devnet_dir, gonka_home
from node.chain.client import ChainClient
from node.devnet import manifest as manifest_io
from node.devnet.network import Devnet, DevnetError

LEDGER_FILE = "ledger.duckdb"


@dataclass
class Session:
    home: Path = field(default_factory=gonka_home)
    network_dir: Path | None = None  # a local devnet, or None when connected to a remote node
    chain_url: str | None = None  # set by `connect`: overrides the devnet's first chain node
    api_url: str | None = None
    account: str | None = None  # the keyring key `infer` signs with by default

    @property
    def keyring(self) -> Keyring:
        return Keyring(self.home)

    def devnet(self) -> Devnet:
        """The local network this session drives (its folder must hold one)."""
        directory = self.network_dir or devnet_dir(self.home)
        if not manifest_io.exists(directory):
            raise DevnetError(f"no network in {directory}; start one with `%gonka net up` "
                              "or point at one with `%gonka connect DIR`")
        return Devnet.open(directory)

    def has_devnet(self) -> bool:
        return self.chain_url is None and manifest_io.exists(self.network_dir or devnet_dir(self.home))

    def chain(self) -> ChainClient:
        if self.chain_url is not None:
            return ChainClient(self.chain_url)
        return self.devnet().client()

    def chain_address(self) -> str:
        if self.chain_url is not None:
            return self.chain_url
        net = self.devnet()
        return net.manifest.nodes_of("chain")[0].url

    def api(self) -> str:
        if self.api_url is not None:
            return self.api_url
        if self.chain_url is None:
            api_nodes = self.devnet().manifest.nodes_of("api")
            if api_nodes:
                return api_nodes[0].url
        raise HomeError("no api node: start a full network (`%gonka net up`) or `%gonka connect NODE --api URL`")

    def ledger_path(self) -> Path:
        """The ledger file: beside the devnet it indexes, else in $GONKA_HOME."""
        if self.has_devnet():
            return self.devnet().dir / LEDGER_FILE
        return self.home / LEDGER_FILE
