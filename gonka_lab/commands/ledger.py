"""`gonka ledger sync|sql|views`: index a chain node's blocks and events into DuckDB and query them.

The ledger file is --db, else $GONKA_HOME/ledger.duckdb. `sync --follow` keeps indexing new
blocks until Ctrl-C or SIGTERM; between blocks it releases the file, so `gonka ledger sql`
can query it from another terminal meanwhile.
"""

from __future__ import annotations

import functools
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gonka_lab.commands._common import Env, node_option, user_command
from gonka_lab.home import default_node
from gonka_lab.ledger import Ledger, LedgerError, SyncProgress

DB_FILE = "ledger.duckdb"
_PLAIN_EVERY_S = 5.0  # progress lines when stderr is not a terminal (logs, CI)


@click.group()
def group() -> None:
    """Index the chain into DuckDB (blocks, txs, events, inferences, rewards …) and query it with SQL."""


def db_option(fn: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Ledger file (default: $GONKA_HOME/{DB_FILE}).",
    )(fn)


def ledger_errors(fn: Callable[..., None]) -> Callable[..., None]:
    """LedgerError -> the CLI's one-line error exit (goes inside @user_command)."""

    @functools.wraps(fn)
    def wrapper(env: Env, **kwargs: Any) -> None:
        try:
            fn(env, **kwargs)
        except LedgerError as err:
            env.fail(str(err))

    return wrapper


def _db(env: Env, db: Path | None) -> Path:
    return db if db is not None else env.home / DB_FILE


class _ProgressView:
    """A progress bar on a terminal; elsewhere a plain line every few seconds."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar: Progress | None = None
        self._task: Any = None
        self._last_line = 0.0

    @contextmanager
    def shown(self) -> Iterator[_ProgressView]:
        if self._console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]ledger[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[events]:,} events"), TimeElapsedColumn(), console=self._console,
            )
            with self._bar:
                self._task = self._bar.add_task("catching up", total=None, events=0)
                yield self
        else:
            yield self

    def __call__(self, p: SyncProgress) -> None:
        caught_up = p.height >= p.target
        if self._bar is not None:
            description = f"following, height {p.height:,}" if caught_up else f"height {p.height:,}"
            total = max(p.target, p.height)
            self._bar.update(self._task, description=description, completed=p.height, total=total, events=p.events)
        elif time.monotonic() - self._last_line >= _PLAIN_EVERY_S:
            self._last_line = time.monotonic()
            where = f"following at height {p.height}" if caught_up else f"height {p.height} of {p.target}"
            self._console.print(f"ledger: {where}, {p.blocks} blocks, {p.events} events indexed")


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """Ctrl-C and SIGTERM end a sync between two transactions instead of killing it mid-way."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@group.command()
@node_option
@db_option
@click.option("--follow", is_flag=True, help="Keep indexing new blocks until Ctrl-C / SIGTERM.")
@user_command
@ledger_errors
def sync(env: Env, node: str | None, db: Path | None, follow: bool) -> None:
    """Index the node's blocks after the ledger's last one (resumes where it stopped)."""
    url = node or default_node(env.home)
    ledger = Ledger(_db(env, db))
    view = _ProgressView(Console(stderr=True))
    with _stop_on_signals() as stop, view.shown():
        done = ledger.sync(url, follow=follow, stop=stop, progress=view)
    rate = done.events / done.elapsed_s if done.elapsed_s > 0 else 0.0
    result = {"db": str(ledger.path), "node": url, "height": done.height, "blocks": done.blocks,
              "events": done.events, "seconds": round(done.elapsed_s, 3), "events_per_s": round(rate, 1)}
    env.emit(result, lambda console: console.print(
        f"ledger {ledger.path}: indexed to height {done.height} (+{done.blocks} blocks, {done.events} events, "
        f"{done.elapsed_s:.1f} s)"
    ))


@group.command()
@click.argument("query")
@db_option
@click.option("--csv", "as_csv", is_flag=True, help="Print the result as CSV.")
@user_command
@ledger_errors
def sql(env: Env, query: str, db: Path | None, as_csv: bool) -> None:
    """Run SQL against the ledger (read-only). Tables: blocks, txs, events, inferences, validations,
    participants_by_epoch, poc_batches, poc_validations, settlements, rewards, cheaters; views:
    see `gonka ledger views`."""
    if as_csv and env.as_json:
        env.fail("choose one of --json and --csv")
    frame = Ledger(_db(env, db), read_only=True).sql(query)
    if as_csv:
        click.echo(frame.to_csv(index=False), nl=False)
    elif env.as_json:
        click.echo(frame.to_json(orient="records", date_format="iso"))
    else:
        click.echo(frame.to_string(index=False, max_rows=200) if len(frame.columns) else "(no result)")


@group.command(name="views")
@db_option
@user_command
@ledger_errors
def list_views(env: Env, db: Path | None) -> None:
    """The ready-made views (query them with `gonka ledger sql "SELECT * FROM NAME"`)."""
    frame = Ledger(_db(env, db), read_only=True).views.describe()
    env.emit(frame.to_dict(orient="records"), lambda console: [
        console.print(f"[bold]{row.view}[/]  {row.description}") for row in frame.itertuples()
    ])
