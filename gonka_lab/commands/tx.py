"""`gonka tx send`: sign a transfer with a keyring key and broadcast it to a chain node."""

from __future__ import annotations

import click

from gonka_lab.commands._common import Env, chain_client, node_option, report_tx, user_command
from gonka_lab.home import Keyring
from node.core.keys import decode_address


@click.group()
def group() -> None:
    """Sign and broadcast transactions."""


@group.command()
@click.argument("key_name", metavar="KEY")
@click.argument("to_address", metavar="TO")
@click.argument("amount", type=click.IntRange(min=1))
@node_option
@click.option("--wait", is_flag=True, help="Wait until the tx is committed and report its height and result code.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for the commit.")
@user_command
def send(env: Env, key_name: str, to_address: str, amount: int, node: str | None, wait: bool, timeout_s: float) -> None:
    """Send AMOUNT ngonka from keyring key KEY to address TO."""
    decode_address(to_address)  # a typo'd address fails here, before anything is signed
    key = Keyring(env.home).key(key_name)
    with chain_client(env, node) as client:
        result = client.send_tokens(key, to_address, amount, wait=wait, timeout_s=timeout_s)
    report_tx(env, result, wait, timeout_s)
