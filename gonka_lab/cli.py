"""The `gonka` command: one click group, one subcommand group per component.

Each component's commands live in `gonka_lab/commands/<group>.py` and expose a click
group named `group`; they are imported lazily so `gonka --help` stays fast and a
missing optional dependency only breaks its own group.
"""

from __future__ import annotations

import importlib

import click

# subcommand group name -> module under gonka_lab.commands
_GROUPS: dict[str, str] = {
    "node": "node",
    "net": "net",
    "keys": "keys",
    "tx": "tx",
    "query": "query",
    "ml": "ml",
    "ledger": "ledger",
    "account": "account",
    "infer": "infer",
    "train": "train",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_GROUPS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module_name = _GROUPS.get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"gonka_lab.commands.{module_name}")
        return module.group


@click.group(cls=_LazyGroup)
@click.version_option(package_name="gonka-lab")
def main() -> None:
    """gonka-lab: run, inspect and extend a Gonka network."""


if __name__ == "__main__":
    main()
