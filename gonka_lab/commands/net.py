"""`gonka net up|status|stop|start|logs|down|fund`: a local network on 127.0.0.1.

The network lives in --dir, else $GONKA_DEVNET_DIR, else $GONKA_HOME/devnet.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from gonka_lab.commands._common import Env, report_tx, user_command
from gonka_lab.home import devnet_dir
from node.core.keys import decode_address
from node.devnet import supervisor
from node.devnet.network import DEFAULT_CHAIN_ID, DEFAULT_READY_TIMEOUT_S, MAX_PARTICIPANTS, MODES, Devnet


@click.group()
def group() -> None:
    """Run a local Gonka network (chain nodes for now) on this machine."""


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
    table = Table("name", "pid", "running", "height", "app hash", "catching up", "peers", "url")
    for row in rows:
        app_hash = row["app_hash"][:12] + "…" if row["app_hash"] else None  # a prefix is enough by eye
        cells = (row["name"], row["pid"], row["running"], row["height"], app_hash, row["catching_up"],
                 row["peers"], row["url"])
        table.add_row(*("-" if c is None else str(c) for c in cells), style=None if row["running"] else "red")
    return table


def _emit_status(env: Env, net: Devnet) -> None:
    rows = net.status()
    data = {"dir": str(net.dir), "chain_id": net.manifest.chain_id, "nodes": rows}
    env.emit(data, lambda console: console.print(_status_table(rows)))


@group.command()
@click.option("--participants", "-n", type=click.IntRange(1, MAX_PARTICIPANTS), default=3, show_default=True)
@click.option("--only", type=click.Choice(MODES), default="chain", show_default=True,
              help="Which node kinds to run ('all' is reserved for when api and ML nodes exist).")
@click.option("--chain-id", default=DEFAULT_CHAIN_ID, show_default=True)
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=DEFAULT_READY_TIMEOUT_S,
              show_default=True, help="Seconds to wait for every node to commit blocks.")
@click.option("--reset", is_flag=True, help="Stop and delete an existing network in the folder first.")
@dir_option
@user_command
def up(env: Env, participants: int, only: str, chain_id: str, timeout_s: float, reset: bool,
       directory: Path | None) -> None:
    """Start N validators from a fresh genesis; return once all commit blocks."""
    target = devnet_dir(env.home, directory)
    # The spinner goes to stderr and only for people: --json output stays one clean document.
    spinner = Console(stderr=True).status(f"starting {participants} participants in {target} …")
    with nullcontext() if env.as_json else spinner:
        net = Devnet.up(target, participants, only, chain_id, timeout_s, reset)
    _emit_status(env, net)


@group.command()
@dir_option
@user_command
def status(env: Env, directory: Path | None) -> None:
    """Each node's process and chain state."""
    _emit_status(env, _open(env, directory))


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
