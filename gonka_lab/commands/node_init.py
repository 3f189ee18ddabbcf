"""`gonka node init --genesis FILE --peer ADDR [--dir DIR]`: prepare a host's three node processes
on this machine to join an existing network (see node/devnet/node_init.py)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from gonka_lab.commands._common import Env, user_command
from node.devnet.node_init import DEFAULT_PORTS, init_node


@click.command(name="init")
@click.option("--genesis", "genesis_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The network's genesis.json.")
@click.option("--peer", "peers", multiple=True, required=True, metavar="HOST:PORT",
              help="P2P address of a chain node of the network. Repeatable.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("gonka-node"),
              show_default=True, help="Folder for the chain/, ml/ and api/ configs and keys.")
@click.option("--name", default="node", show_default=True, help="This participant's name in logs.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address every listener binds.")
@click.option("--public-url", default="", help="How others reach the api node (default: http://HOST:API_PORT).")
@click.option("--p2p-port", type=click.IntRange(1, 65535), default=DEFAULT_PORTS["p2p"], show_default=True)
@click.option("--rpc-port", type=click.IntRange(1, 65535), default=DEFAULT_PORTS["rpc"], show_default=True)
@click.option("--ml-port", type=click.IntRange(1, 65535), default=DEFAULT_PORTS["ml"], show_default=True)
@click.option("--api-port", type=click.IntRange(1, 65535), default=DEFAULT_PORTS["api"], show_default=True)
@user_command
def init_command(env: Env, genesis_file: Path, peers: tuple[str, ...], directory: Path, name: str, host: str,
                 public_url: str, p2p_port: int, rpc_port: int, ml_port: int, api_port: int) -> None:
    """Write configs and new keys for a chain, an ML and an api node that join a network."""
    ports = {"p2p": p2p_port, "rpc": rpc_port, "ml": ml_port, "api": api_port}
    prepared = init_node(directory, genesis_file, list(peers), name=name, host=host, ports=ports,
                         public_url=public_url)
    data = {"name": prepared.name, "address": prepared.address, "chain_id": prepared.chain_id,
            "model": prepared.model, "configs": prepared.configs, "commands": prepared.commands()}

    def human(console: Console) -> None:
        console.print(f"prepared {name} for {prepared.chain_id} in {directory}")
        console.print(f"1. fund its account {prepared.address} (e.g. `gonka tx send KEY {prepared.address} AMOUNT`)")
        console.print("2. run, each in its own terminal:")
        for command in prepared.commands():
            console.print(f"   {command}")

    env.emit(data, human)
