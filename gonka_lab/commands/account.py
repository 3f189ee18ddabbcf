"""`gonka account create NAME --node URL`: a developer account on a Gonka network.

A new keyring key is registered through an api node (POST /v1/participants: the node puts the
account and its public key on chain, so the account needs no funds to exist); on a local devnet
whose api node that is, the faucet then funds it so it can pay for inference at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import httpx

from gonka_lab.client import ApiError, GonkaClient
from gonka_lab.commands._common import Env, user_command
from gonka_lab.home import HomeError, Keyring, devnet_dir
from node.devnet import manifest as devnet_manifest
from node.devnet.genesis import GNK
from node.devnet.network import Devnet

DEVNET_FUNDING = 1000 * GNK


@click.group()
def group() -> None:
    """Developer accounts: create and register."""


@contextmanager
def api_errors(env: Env) -> Iterator[None]:
    """An api node's refusal or absence becomes a clean user error (exit 1), not a traceback."""
    try:
        yield
    except ApiError as error:
        env.fail(str(error), status=error.status, body=error.body)
    except httpx.HTTPError as error:
        env.fail(f"cannot reach the api node: {error}")


def api_option(fn: Callable[..., None]) -> Callable[..., None]:
    return click.option("--node", "api_url", default=None,
                        help="Api node URL, e.g. http://127.0.0.1:9000 (default: the local devnet's first).")(fn)


def default_api_url(env: Env, api_url: str | None) -> str:
    """--node, else the first api node of the local devnet."""
    if api_url:
        return api_url.rstrip("/")
    directory = devnet_dir(env.home)
    if devnet_manifest.exists(directory):
        api_nodes = devnet_manifest.load(directory).nodes_of("api")
        if api_nodes:
            return api_nodes[0].url
    raise HomeError("no api node given: pass --node URL, or start a full devnet (`gonka net up`)")


def _devnet_of(env: Env, api_url: str) -> Devnet | None:
    """The local devnet that runs the api node at `api_url`, if any."""
    directory: Path = devnet_dir(env.home)
    if not devnet_manifest.exists(directory):
        return None
    net = Devnet.open(directory)
    return net if any(node.url == api_url for node in net.manifest.nodes_of("api")) else None


@group.command()
@click.argument("name")
@api_option
@click.option("--fund", "amount", type=click.IntRange(min=0), default=DEVNET_FUNDING, show_default=True,
              help="ngonka the local devnet's faucet sends (devnet only; 0: none).")
@user_command
def create(env: Env, name: str, api_url: str | None, amount: int) -> None:
    """Create key NAME and register it as a developer through an api node."""
    url = default_api_url(env, api_url)
    keyring = Keyring(env.home)
    keyring.add(name)
    key = keyring.key(name)
    with api_errors(env), GonkaClient(url, key) as api:
        api.register()
    funded = 0
    net = _devnet_of(env, url) if amount else None
    if net is not None:
        result = net.fund(key.address, amount, wait=True, timeout_s=30)
        if result["check_code"] != 0 or not result["committed"] or result["code"] != 0:
            env.fail(f"{name} is registered but funding it failed: {result.get('check_log') or result.get('log')}")
        funded = amount
    data = {"name": name, "address": key.address, "node": url, "registered": True, "funded": funded}
    env.emit(data, lambda c: c.print(f"account [bold]{name}[/bold] {key.address} registered via {url}"
                                     + (f", funded with {funded} ngonka" if funded else "")))
