"""`%gonka` (line) and `%%gonka` (cell): drive a Gonka network from a notebook.

    %load_ext gonka_lab
    %gonka net up -n 3               # a local devnet: chain, ML and api node per participant
    %gonka status                    # participants: weight, power, reputation, status, phase
    %gonka account create alice
    r = %gonka infer "Hello"         # tokens stream in; r.wait() -> the validation outcome
    s = %gonka sprint                # a PoW sprint live; s.weights
    %gonka epoch                     # the epoch's stage timeline
    %gonka adversary p3 wrong-model
    t = %gonka train start --spec task.toml --watch 600   # live loss per worker; t.wait()
    %%gonka sql --sync
    SELECT * FROM cheaters_caught

`%gonka SUBCOMMAND --help` explains one subcommand with examples. Every subcommand returns a
Python object (a DataFrame, a dict or a small result object) besides what it displays. Bad
input prints one `gonka: …` line and changes nothing; the kernel stays usable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import httpx
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import parse_argstring
from IPython.core.interactiveshell import InteractiveShell

from gonka_lab.client import ApiError
from gonka_lab.commands._common import USER_ERRORS
from gonka_lab.ledger import LedgerError
from gonka_lab.magics import account, adversary, chain, ledger, network, train
from gonka_lab.magics.session import Session

Subcommand = Callable[..., Any]
SUBCOMMANDS: dict[str, Subcommand] = {
    "net": network.net,
    "connect": network.connect,
    "status": chain.status,
    "epoch": chain.epoch,
    "sprint": chain.sprint,
    "account": account.account,
    "infer": account.infer,
    "ledger": ledger.ledger,
    "sql": ledger.sql,
    "adversary": adversary.adversary,
    "train": train.train,
}
for _name, _fn in SUBCOMMANDS.items():
    _fn.parser.prog = f"gonka {_name}"  # help and errors name the magic, not the function
# what a user can get wrong or what a network can refuse: one line each, never a traceback
FAILURES = (*USER_ERRORS, UsageError, ApiError, LedgerError, httpx.HTTPError, TimeoutError, KeyError)
HELP = ("-h", "--help")


def _summary(fn: Subcommand) -> str:
    return (fn.parser.description or "").strip().splitlines()[0]


def overview() -> str:
    width = max(map(len, SUBCOMMANDS))
    lines = [f"  {name.ljust(width)}  {_summary(fn)}" for name, fn in SUBCOMMANDS.items()]
    return "usage: %gonka SUBCOMMAND [options]   (%gonka SUBCOMMAND --help for one)\n\n" + "\n".join(lines)


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    first = text.splitlines()[0]
    return first if isinstance(error, UsageError) else first.removeprefix("Error: ")


@magics_class
class GonkaMagics(Magics):
    def __init__(self, shell: InteractiveShell) -> None:
        super().__init__(shell)
        self.session = Session()

    @line_cell_magic
    def gonka(self, line: str, cell: str | None = None) -> Any:
        """Drive a Gonka network: `%gonka --help` lists the subcommands."""
        name, _, rest = line.strip().partition(" ")
        if not name or name in HELP:
            print(overview())
            return None
        fn = SUBCOMMANDS.get(name)
        if fn is None:
            print(f"gonka: unknown subcommand {name!r}; choose one of {', '.join(SUBCOMMANDS)}", file=sys.stderr)
            return None
        if any(word in HELP for word in rest.split()):
            print(fn.parser.format_help())
            return None
        try:
            args = parse_argstring(fn, rest)
            args.line = rest  # the raw text, for subcommands whose argument is free text (SQL)
            return fn(self.session, args, cell)
        except FAILURES as error:
            print(f"gonka {name}: {_one_line(error)}", file=sys.stderr)
            return None


def load_ipython_extension(ipython: InteractiveShell) -> None:
    ipython.register_magics(GonkaMagics)


__all__ = ["GonkaMagics", "SUBCOMMANDS", "load_ipython_extension"]
