"""`gonka query …`: read chain state and blocks from a chain node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from gonka_lab.commands._common import Env, chain_client, node_option, user_command
from node.chain.client import ChainClient
from node.core.keys import decode_address


@click.group()
def group() -> None:
    """Query accounts, blocks, txs and chain state."""


def _run(env: Env, node: str | None, ask: Callable[[ChainClient], Any]) -> None:
    with chain_client(env, node) as client:
        env.emit(ask(client))


@group.command()
@click.argument("address")
@node_option
@user_command
def balance(env: Env, address: str, node: str | None) -> None:
    """An account's balance in ngonka."""
    decode_address(address)
    _run(env, node, lambda c: c.query("balance", address=address))


@group.command()
@click.argument("address")
@node_option
@user_command
def account(env: Env, address: str, node: str | None) -> None:
    """An account: number, sequence, public key, balance."""
    decode_address(address)
    _run(env, node, lambda c: c.query("account", address=address))


@group.command()
@click.argument("height", type=click.IntRange(min=0), default=0)
@node_option
@user_command
def block(env: Env, height: int, node: str | None) -> None:
    """A committed block (default: the latest)."""
    _run(env, node, lambda c: c.block(height))


@group.command()
@click.argument("tx_hash", metavar="HASH")
@node_option
@user_command
def tx(env: Env, tx_hash: str, node: str | None) -> None:
    """A committed tx by its hash."""
    if len(tx_hash) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in tx_hash):
        env.fail(f"a tx hash is 64 hex characters, got {tx_hash!r}")
    with chain_client(env, node) as client:
        found = client.tx(tx_hash)
    if found is None:
        env.fail(f"tx {tx_hash.upper()} not found")
    env.emit(found)


def _state_command(path: str, help_text: str) -> click.Command:
    @click.command(name=path, help=help_text)
    @node_option
    @user_command
    def command(env: Env, node: str | None) -> None:
        _run(env, node, lambda c: c.query(path))

    return command


for _path, _help in (
    ("validators", "The current validator set."),
    ("params", "The chain parameters."),
    ("epoch", "The current epoch and its stage."),
    ("participants", "Every participant: registration, weight, voting power, reputation, status, balance."),
):
    group.add_command(_state_command(_path, _help))


@group.command()
@click.argument("inference_id", metavar="ID")
@node_option
@user_command
def inference(env: Env, inference_id: str, node: str | None) -> None:
    """An inference by its id (the developer's signature, as `gonka infer --json` prints it)."""
    _run(env, node, lambda c: c.query("inference", inference_id=inference_id))


@group.command()
@click.argument("address")
@click.option("--epoch", type=click.IntRange(min=0), default=None, help="A settled epoch (default: the latest).")
@node_option
@user_command
def settlement(env: Env, address: str, epoch: int | None, node: str | None) -> None:
    """A participant's unclaimed settlement and its per-epoch performance summaries."""
    decode_address(address)
    params = {"address": address} | ({} if epoch is None else {"epoch": epoch})
    _run(env, node, lambda c: c.query("settlement", **params))
