"""`gonka net up|status|join|stop|start|logs|down|fund`: a local network on 127.0.0.1.

The network lives in --dir, else $GONKA_DEVNET_DIR, else $GONKA_HOME/devnet. A full network
(the default) runs a chain, an ML and an api node per participant; `--only chain` runs chain
nodes alone.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from gonka_lab.client import wait_serving
from gonka_lab.commands._common import Env, report_tx, user_command
from gonka_lab.home import devnet_dir
from node.chain.client import ChainError
from node.core.keys import AccountKey, decode_address
from node.devnet import supervisor
from node.devnet.network import (
    DEFAULT_CHAIN_ID,
    DEFAULT_READY_TIMEOUT_S,
    MAX_PARTICIPANTS,
    MODES,
    Devnet,
    DevnetError,
)
from node.devnet.participant import ADVERSARY_MODES


@click.group()
def group() -> None:
    """Run a local Gonka network (chain, ML and api nodes per participant) on this machine."""


def dir_option(fn: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--dir",
        "directory",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Network folder (default: $GONKA_DEVNET_DIR, else $GONKA_HOME/devnet).",
    )(fn)


def _open(env: Env, directory: Path | None) -> Devnet:
    return Devnet.open(devnet_dir(env.home, directory))


def _status_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("name", "pid", "running", "height", "app hash", "catching up", "peers", "state", "url")
    for row in rows:
        app_hash = row["app_hash"][:12] + "…" if row["app_hash"] else None  # a prefix is enough by eye
        cells = (row["name"], row["pid"], row["running"], row["height"], app_hash, row["catching_up"],
                 row["peers"], row["state"], row["url"])
        table.add_row(*("-" if c is None else str(c) for c in cells), style=None if row["running"] else "red")
    return table


def _participants_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("participant", "address", "epoch", "phase", "weight", "power", "reputation", "status", "balance",
                  "api url")
    for row in rows:
        table.add_row(row["name"] or "-", row["address"][:16] + "…", str(row["epoch"]), row["phase"],
                      str(row["weight"]), str(row["voting_power"]), str(row["reputation"]), row["status"],
                      str(row["balance"]), row["api_url"] or "-")
    return table


def _emit_status(env: Env, net: Devnet) -> None:
    rows = net.status()
    try:
        participants = net.participants_status()
    except (DevnetError, ChainError):  # no chain node answers: the process table still helps
        participants = []
    data = {"dir": str(net.dir), "chain_id": net.manifest.chain_id, "nodes": rows, "participants": participants}

    def human(console: Console) -> None:
        console.print(_status_table(rows))
        if participants:
            console.print(_participants_table(participants))

    env.emit(data, human)


def _parse_adversaries(values: tuple[str, ...]) -> dict[str, str]:
    adversaries = {}
    for value in values:
        name, sep, mode = value.partition("=")
        if not sep or not name or mode not in ADVERSARY_MODES:
            raise click.BadParameter(f"{value!r}: use NAME=MODE with MODE one of {', '.join(ADVERSARY_MODES)}",
                                     param_hint="--adversary")
        adversaries[name] = mode
    return adversaries


def _wait_serving(net: Devnet, timeout_s: float) -> None:
    """A full network is up once a signed inference completes through its first api node."""
    faucet = AccountKey.from_private_hex(net.manifest.faucet.private_key)
    try:
        wait_serving(net.manifest.nodes_of("api")[0].url, faucet, net.manifest.model, timeout_s)
    except TimeoutError as error:
        raise DevnetError(str(error)) from None


@group.command()
@click.option("--participants", "-n", type=click.IntRange(1, MAX_PARTICIPANTS), default=3, show_default=True)
@click.option("--only", type=click.Choice(MODES), default="all", show_default=True,
              help="Node kinds to run: 'all' (chain + ML + api per participant) or 'chain'.")
@click.option("--adversary", "adversary_specs", multiple=True, metavar="NAME=MODE",
              help=f"Run participant NAME as an adversary; MODE: {', '.join(ADVERSARY_MODES)}. Repeatable.")
@click.option("--chain-id", default=DEFAULT_CHAIN_ID, show_default=True)
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=DEFAULT_READY_TIMEOUT_S,
              show_default=True, help="Seconds to wait for every node to be ready (and a full network to serve).")
@click.option("--reset", is_flag=True, help="Stop and delete an existing network in the folder first.")
@dir_option
@user_command
def up(env: Env, participants: int, only: str, adversary_specs: tuple[str, ...], chain_id: str, timeout_s: float,
       reset: bool, directory: Path | None) -> None:
    """Start N participants from a fresh genesis; return once the network serves inference
    (with --only chain: once every validator commits blocks)."""
    target = devnet_dir(env.home, directory)
    adversaries = _parse_adversaries(adversary_specs)
    # The spinner goes to stderr and only for people: --json output stays one clean document.
    spinner = Console(stderr=True).status(f"starting {participants} participants in {target} …")
    with nullcontext() if env.as_json else spinner:
        net = Devnet.up(target, participants, only, chain_id, timeout_s, reset, adversaries)
        if only == "all":
            try:
                _wait_serving(net, timeout_s)
            except BaseException:
                net.down()
                raise
    _emit_status(env, net)


@group.command()
@dir_option
@user_command
def status(env: Env, directory: Path | None) -> None:
    """Each node's process and chain state, and each participant's weight, power and status."""
    _emit_status(env, _open(env, directory))


@group.command()
@click.argument("name")
@click.option("--adversary", type=click.Choice(ADVERSARY_MODES), default=None, help="Run it as an adversary.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=DEFAULT_READY_TIMEOUT_S,
              show_default=True)
@dir_option
@user_command
def join(env: Env, name: str, adversary: str | None, timeout_s: float, directory: Path | None) -> None:
    """Add participant NAME to a running full network: funded keys, a syncing chain node, an ML
    node and an api node that registers it; it gets weight from the next PoC on."""
    net = _open(env, directory)
    spinner = Console(stderr=True).status(f"{name} joins the network in {net.dir} …")
    with nullcontext() if env.as_json else spinner:
        nodes = net.join(name, timeout_s, adversary or "")
    participant = next(p for p in net.manifest.participants if p.name == name)
    data = {"name": name, "address": participant.address, "nodes": [{"name": n.name, "url": n.url} for n in nodes]}
    env.emit(data, lambda c: c.print(f"{name} ({participant.address}) joined: "
                                     + ", ".join(f"{n.name} {n.url}" for n in nodes)))


@group.command()
@click.argument("node_name", metavar="NODE")
@click.option("--kill", is_flag=True, help="SIGKILL at once instead of SIGTERM.")
@click.option("--grace", "grace_s", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Seconds between SIGTERM and SIGKILL.")
@dir_option
@user_command
def stop(env: Env, node_name: str, kill: bool, grace_s: float, directory: Path | None) -> None:
    """Stop one node (NODE: e.g. p1-chain, or p1 for its chain node)."""
    net = _open(env, directory)
    name = net.node(node_name).name
    was_running = net.stop(name, kill=kill, grace_s=grace_s)
    message = f"{name} stopped" if was_running else f"{name} was not running"
    env.emit({"name": name, "was_running": was_running}, lambda c: c.print(message))


@group.command()
@click.argument("node_name", metavar="NODE")
@click.option("--no-wait", is_flag=True, help="Return at once instead of waiting until the node answers.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=DEFAULT_READY_TIMEOUT_S,
              show_default=True)
@dir_option
@user_command
def start(env: Env, node_name: str, no_wait: bool, timeout_s: float, directory: Path | None) -> None:
    """Restart a stopped node from its existing data."""
    net = _open(env, directory)
    node = net.start(node_name, wait=not no_wait, timeout_s=timeout_s)
    env.emit({"name": node.name, "pid": node.pid}, lambda c: c.print(f"{node.name} started (pid {node.pid})"))


@group.command()
@click.argument("node_name", metavar="NODE")
@click.option("-n", "--lines", type=click.IntRange(min=0), default=50, show_default=True)
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until Ctrl-C.")
@dir_option
@user_command
def logs(env: Env, node_name: str, lines: int, follow: bool, directory: Path | None) -> None:
    """Print a node's last log lines."""
    net = _open(env, directory)
    name = net.node(node_name).name
    tail = net.logs(name, lines)
    if env.as_json and not follow:
        env.emit({"name": name, "lines": tail})
        return
    for line in tail:
        click.echo(line)
    if follow:
        try:
            for line in supervisor.follow(net.log_path(name)):
                click.echo(line)
        except KeyboardInterrupt:
            pass


@group.command()
@click.option("--purge", is_flag=True, help="Also delete the network folder.")
@dir_option
@user_command
def down(env: Env, purge: bool, directory: Path | None) -> None:
    """Stop every node; keep the folder (restart with `net start`) unless --purge."""
    net = _open(env, directory)
    stopped = net.down(purge=purge)
    data = {"dir": str(net.dir), "stopped": stopped, "purged": purge}
    env.emit(data, lambda c: c.print(f"stopped {len(stopped)} node(s)" + (f"; deleted {net.dir}" if purge else "")))


@group.command()
@click.argument("address")
@click.argument("amount", type=click.IntRange(min=1))
@click.option("--wait", is_flag=True, help="Wait until the transfer is committed.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for the commit.")
@dir_option
@user_command
def fund(env: Env, address: str, amount: int, wait: bool, timeout_s: float, directory: Path | None) -> None:
    """Send AMOUNT ngonka from the network's faucet to ADDRESS."""
    decode_address(address)
    result = _open(env, directory).fund(address, amount, wait=wait, timeout_s=timeout_s)
    report_tx(env, result, wait, timeout_s)
