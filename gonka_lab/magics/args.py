"""Option groups shared by several `%gonka` subcommands, defined once (ipyparallel's pattern):
each stacks the same magic_arguments `argument`s onto a subcommand function."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from IPython.core.magic_arguments import argument

F = TypeVar("F", bound=Callable[..., object])


def network_args(fn: F) -> F:
    return argument("--dir", type=Path, default=None,
                    help="Network folder (default: the session's, else $GONKA_DEVNET_DIR or $GONKA_HOME/devnet).")(fn)


def timeout_args(default_s: float) -> Callable[[F], F]:
    def add(fn: F) -> F:
        return argument("--timeout", type=float, default=default_s, metavar="S",
                        help=f"Seconds to wait at most (default {default_s:g}).")(fn)
    return add


def live_args(fn: F) -> F:
    fn = argument("--watch", type=float, default=0.0, metavar="S",
                  help="Keep the view live for S seconds in the background (default 0: a snapshot).")(fn)
    return argument("--every", type=float, default=2.0, metavar="S", help="Refresh period (default 2 s).")(fn)


def ledger_args(fn: F) -> F:
    return argument("--db", type=Path, default=None,
                    help="Ledger file (default: ledger.duckdb in the network folder, else in $GONKA_HOME).")(fn)
