"""`gonka node chain|api|ml --config FILE`: run one node process in the foreground."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

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
