"""`%gonka ledger sync` and `%%gonka sql`: the DuckDB index of the chain, queried as DataFrames."""

from __future__ import annotations

import argparse
import re

import ipywidgets as widgets
import pandas as pd
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from gonka_lab.ledger import Ledger, LedgerError, SyncProgress
from gonka_lab.magics.args import ledger_args
from gonka_lab.magics.session import Session

# the line form's leading options; the rest of the line is the SQL, quotes intact
_OPTIONS = re.compile(r"^\s*(?:(?:--sync|--db\s+\S+)\s+)*")


def sync_ledger(session: Session, ledger: Ledger) -> SyncProgress:
    """Index the chain up to its current height, showing the blocks done."""
    label = widgets.Label(f"syncing {ledger.path.name} …")
    display(label)

    def progress(done: SyncProgress) -> None:
        label.value = f"ledger: block {done.height} of {done.target}, {done.events} events, {done.elapsed_s:.1f} s"

    return ledger.sync(session.chain_address(), progress=progress)


@magic_arguments()
@argument("action", choices=("sync",))
@ledger_args
def ledger(session: Session, args: argparse.Namespace, cell: str | None) -> SyncProgress:
    """Index the chain's blocks and events into the ledger (DuckDB), up to the current height.

    Examples::

        %gonka ledger sync
        %gonka ledger sync --db /tmp/my.duckdb
    """
    return sync_ledger(session, Ledger(args.db or session.ledger_path()))


@magic_arguments()
@argument("query", nargs="*", help="SQL (line form); in the cell form the cell body is the query.")
@argument("--sync", action="store_true", help="Sync the ledger to the chain's height first.")
@ledger_args
def sql(session: Session, args: argparse.Namespace, cell: str | None) -> pd.DataFrame:
    """Run SQL over the ledger (tables and ready-made views) and return a DataFrame.

    Examples::

        %%gonka sql --sync
        SELECT * FROM cheaters_caught

        df = %gonka sql SELECT count(*) AS n FROM inferences
        df = %gonka sql SELECT * FROM rewards WHERE address = '{addr}'   # not '$addr': IPython
                                                                         # leaves $ in quotes alone
    """
    query = cell if cell is not None else _OPTIONS.sub("", args.line) if args.query else ""
    if not query.strip():
        raise LedgerError("no SQL: write it in the cell body (%%gonka sql) or after `%gonka sql`")
    ledger_file = Ledger(args.db or session.ledger_path())
    if args.sync:
        sync_ledger(session, ledger_file)
    return ledger_file.sql(query)
