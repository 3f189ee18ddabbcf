"""`gonka node chain|api|ml --config FILE`: run one node process in the foreground; `gonka node replay`: audit a store."""

from __future__ import annotations

import importlib
import json
import tempfile
from pathlib import Path

import click

from gonka_lab.commands.node_init import init_command

# process kind -> module exposing `run(config_path: Path) -> None`
_ENTRY_POINTS = {
    "chain": "node.chain.server",
    "api": "node.api.server",
    "ml": "node.ml.server",
}


@click.group()
def group() -> None:
    """Run a chain, api or ML node process."""


def _make_command(kind: str, module_name: str) -> click.Command:
    @click.command(name=kind, help=f"Run a {kind} node in the foreground.")
    @click.option("--config", "config_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def command(config_path: Path) -> None:
        importlib.import_module(module_name).run(config_path)

    return command


for _kind, _module in _ENTRY_POINTS.items():
    group.add_command(_make_command(_kind, _module))
group.add_command(init_command)


@group.command(name="replay")
@click.option("--config", "config_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def replay_command(config_path: Path, as_json: bool) -> None:
    """Re-execute a chain node's stored blocks in a scratch store and check every app hash.

    Works on a running node too (SQLite readers do not block it). Exits 1 on any mismatch.
    """
    from node.chain.app.genesis import Genesis
    from node.chain.config import ChainNodeConfig
    from node.chain.replay import replay

    config = ChainNodeConfig.load(config_path)
    with tempfile.TemporaryDirectory(prefix="gonka-replay-") as scratch:
        heights = list(replay(config.home / "data" / "chain.sqlite", Genesis.load(config.genesis_path), Path(scratch) / "replay.sqlite"))
    mismatches = [h.height for h in heights if not h.matches]
    summary = {"heights": len(heights), "mismatches": mismatches, "last_app_hash": heights[-1].replayed_app_hash.hex() if heights else ""}
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(f"replayed {len(heights)} blocks: " + ("all app hashes match" if not mismatches else f"MISMATCH at {mismatches}"))
    if mismatches:
        raise SystemExit(1)
