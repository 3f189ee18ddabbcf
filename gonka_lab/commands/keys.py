"""`gonka keys add|list|show|export`: account keys in the file keyring under $GONKA_HOME."""

from __future__ import annotations

import base64
import sys

import click
from rich.console import Console
from rich.table import Table

from gonka_lab.commands._common import Env, user_command
from gonka_lab.home import KeyInfo, Keyring


@click.group()
def group() -> None:
    """Manage account keys (secp256k1, gonka1… addresses)."""


def _info(key: KeyInfo) -> dict[str, str]:
    return {
        "name": key.name,
        "address": key.address,
        "public_key_hex": key.public_key.hex(),
        "public_key_base64": base64.b64encode(key.public_key).decode(),
    }


@group.command()
@click.argument("name")
@click.option("--recover", "private_hex", metavar="HEX", help="Store this private key (64 hex chars; '-' reads stdin).")
@user_command
def add(env: Env, name: str, private_hex: str | None) -> None:
    """Create a new key NAME, or recover one from its private key."""
    if private_hex == "-":
        private_hex = sys.stdin.readline().strip()
    info = _info(Keyring(env.home).add(name, private_hex))
    env.emit(info, lambda c: c.print(f"key [bold]{name}[/bold]: {info['address']}"))


@group.command(name="list")
@user_command
def list_keys(env: Env) -> None:
    """List the keys in the keyring."""
    keyring = Keyring(env.home)
    keys = [_info(keyring.show(name)) for name in keyring.names()]

    def human(console: Console) -> None:
        table = Table("name", "address")
        for key in keys:
            table.add_row(key["name"], key["address"])
        console.print(table)

    env.emit({"keys": keys}, human)


@group.command()
@click.argument("name")
@user_command
def show(env: Env, name: str) -> None:
    """Show a key's address and public key."""
    info = _info(Keyring(env.home).show(name))
    env.emit(info, lambda c: c.print("\n".join(f"{k}: {v}" for k, v in info.items())))


@group.command()
@click.argument("name")
@user_command
def export(env: Env, name: str) -> None:
    """Print a key's private key as hex (the form the public Gonka client takes)."""
    key = Keyring(env.home).key(name)
    click.echo("WARNING: this is the private key; anyone holding it controls the account.", err=True)
    env.emit({"name": name, "address": key.address, "private_key": key.private_hex}, lambda c: click.echo(key.private_hex))
