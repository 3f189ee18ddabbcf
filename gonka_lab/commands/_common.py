"""What the user commands share: --home, --json and --node options, result printing, error exits.

A command prints its result as JSON with --json (machine use) or as readable text otherwise;
a user error prints a clear message on stderr (and a JSON {"error": ...} with --json) and
exits with status 1, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from gonka_lab.home import HomeError, default_node, gonka_home
from node.chain.client import ChainClient, ChainError
from node.core.errors import TxError
from node.devnet.manifest import ManifestError
from node.devnet.network import DevnetError

# ValueError covers malformed addresses, keys and node urls raised by node.core and the client;
# OSError an unwritable --home or --dir.
USER_ERRORS = (HomeError, DevnetError, ManifestError, ChainError, TxError, ValueError, OSError)


@dataclass(frozen=True)
class Env:
    home: Path
    as_json: bool

    @property
    def console(self) -> Console:
        return Console(soft_wrap=True)

    def emit(self, data: Any, human: Callable[[Console], None] | None = None) -> None:
        """Print `data` as JSON with --json; otherwise call `human`, or pretty-print the JSON."""
        if self.as_json:
            click.echo(json.dumps(data))
        elif human is not None:
            human(self.console)
        else:
            self.console.print_json(data=data)

    def fail(self, message: str, **details: Any) -> NoReturn:
        if self.as_json:
            click.echo(json.dumps({"error": message, **details}))
        click.echo(f"Error: {message}", err=True)
        sys.exit(1)


def user_command(fn: Callable[..., None]) -> Callable[..., None]:
    """Add --home and --json to a click command and turn user errors into clean exits.
    The wrapped function receives an `env: Env` first."""

    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    @click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder for keys and client settings (default: $GONKA_HOME or ~/.gonka).",
    )
    @functools.wraps(fn)
    def wrapper(as_json: bool, home: Path | None, **kwargs: Any) -> None:
        env = Env(home=gonka_home(home), as_json=as_json)
        try:
            fn(env, **kwargs)
        except USER_ERRORS as err:
            env.fail(str(err))

    return wrapper


def node_option(fn: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--node",
        help="Chain node HOST:PORT (default: `node` in client.toml, else the local devnet's first node).",
    )(fn)


def chain_client(env: Env, node: str | None) -> ChainClient:
    return ChainClient(node or default_node(env.home))


def report_tx(env: Env, result: dict[str, Any], wait: bool, timeout_s: float) -> None:
    """Print a broadcast result; exit 1 if the tx was rejected, not committed in time or failed."""
    if result["check_code"] != 0:
        env.fail(f"tx rejected (code {result['check_code']}): {result['check_log']}", **result)
    if wait and not result["committed"]:
        env.fail(f"tx {result['hash']} not committed within {timeout_s:g} s", **result)
    if wait and result["code"] != 0:
        env.fail(f"tx {result['hash']} failed in block {result['height']} (code {result['code']}): {result['log']}",
                 **result)
    where = f"committed in block {result['height']}" if wait else "accepted into the mempool"
    env.emit(result, lambda console: console.print(f"tx {result['hash']} {where}"))
