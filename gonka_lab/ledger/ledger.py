"""`Ledger(db_path)`: a DuckDB index of a chain's blocks and events, and the API the CLI and
the notebook magics use (`sync`, `sql`, `views`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from gonka_lab.ledger import schema, views, writer
from gonka_lab.ledger.database import LedgerError, connect, one_line
from gonka_lab.ledger.extract import Extraction
from gonka_lab.ledger.feed import BlockFeed
from node.chain.client import ChainClient, ChainError

# A transaction's size is set by the rows it appends, not by its blocks: a DuckDB append of a
# whole row group (122,880 rows) or more goes straight into the file, a smaller one goes through
# the WAL and is written again at the next checkpoint, and each commit costs the same whatever it
# holds. A sync catching up therefore commits once it holds DEFAULT_BATCH_EVENTS events (about two
# row groups of `events`; the rows waiting for the commit take about 0.5 KB per event, so about
# 125 MB), or DEFAULT_BATCH_BLOCKS blocks (on a chain of near-empty blocks, this bounds how often
# progress is reported and what a killed sync repeats). At the tip every block is committed alone.
DEFAULT_BATCH_EVENTS = 250_000
DEFAULT_BATCH_BLOCKS = 10_000
_TAKE_TIMEOUT_S = 0.25


@dataclass(frozen=True)
class SyncProgress:
    height: int  # last indexed block
    target: int  # the node's height when the sync began
    blocks: int  # indexed by this sync so far
    events: int
    elapsed_s: float


Progress = Callable[[SyncProgress], None]


class Views(Mapping[str, pd.DataFrame]):
    """The ready-made views by name: `ledger.views["tokens_served"]` or `ledger.views.tokens_served`
    runs the view and returns a DataFrame; `describe()` lists them."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in views.BY_NAME:
            raise KeyError(f"no view {name!r}; views: {', '.join(views.BY_NAME)}")
        return self._ledger.sql(f"SELECT * FROM {name}")

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in views.BY_NAME:
            return self[name]
        raise AttributeError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(views.BY_NAME)

    def __len__(self) -> int:
        return len(views.BY_NAME)

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([(v.name, v.description) for v in views.VIEWS], columns=["view", "description"])


class Ledger:
    """A ledger file. `read_only` opens it for queries only (it must exist); otherwise the
    tables and views are created on first use. Opening waits up to `lock_wait_s` while
    another process writes the file."""

    def __init__(self, db_path: str | Path, read_only: bool = False, lock_wait_s: float = 10.0) -> None:
        self.path = Path(db_path).expanduser()
        self.read_only = read_only
        self.lock_wait_s = lock_wait_s
        if read_only and not self.path.exists():
            raise LedgerError(f"no ledger at {self.path}; build one with `gonka ledger sync --db {self.path}`")
        if not read_only:
            with self._connect() as con:
                schema.create(con)
                views.create(con)

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self.read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = connect(self.path, self.read_only, self.lock_wait_s)
        try:
            yield con
        finally:
            con.close()

    # -- reading --------------------------------------------------------------------------------

    def sql(self, query: str) -> pd.DataFrame:
        """Run SQL and return the result as a DataFrame. Read-only: whatever the SQL changes is
        rolled back. A bad query raises LedgerError with DuckDB's one-line reason."""
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                result = con.execute(query)
                return result.df() if result.description is not None else pd.DataFrame()
            except duckdb.Error as error:
                raise LedgerError(f"SQL error: {one_line(error)}") from None
            finally:
                _rollback(con)

    @property
    def views(self) -> Views:
        return Views(self)

    @property
    def height(self) -> int:
        """The last indexed block (0 for an empty ledger)."""
        with self._connect() as con:
            return writer.cursor(con)[0]

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self._connect() as con:
            return {t.name: _scalar(con, f"SELECT count(*) FROM {t.name}") for t in schema.TABLES}

    # -- writing --------------------------------------------------------------------------------

    def index_blocks(
        self, blocks: Iterable[dict[str, Any]], batch_blocks: int = DEFAULT_BATCH_BLOCKS,
        batch_events: int = DEFAULT_BATCH_EVENTS,
    ) -> int:
        """Index blocks (as `ChainClient.stream_blocks` yields them) that continue the ledger, whole
        blocks per transaction, each committed once it holds `batch_blocks` blocks or `batch_events`
        events (the last with what is left). Returns the number of events indexed."""
        events = 0
        with self._connect() as con:
            pending = Extraction(*writer.cursor(con))
            for block in blocks:
                self._add(pending, block)
                if _full(pending, batch_blocks, batch_events):
                    events += pending.event_count
                    pending = self._store(con, pending)
            events += pending.event_count
            self._store(con, pending)
        return events

    def _add(self, extraction: Extraction, block: dict[str, Any]) -> None:
        try:
            extraction.add(block)
        except ValueError as error:  # blocks out of order, from another chain, or malformed
            raise LedgerError(f"ledger {self.path}: {error}") from None

    def _store(self, con: duckdb.DuckDBPyConnection, extraction: Extraction) -> Extraction:
        """Store the rows with the cursor in one transaction; returns the (empty) extraction that follows."""
        try:
            writer.write(con, extraction, extraction.after_height)
        except ValueError as error:  # another writer moved the cursor
            raise LedgerError(f"ledger {self.path}: {error}") from None
        except duckdb.Error as error:
            raise LedgerError(
                f"cannot store blocks after {extraction.after_height} in {self.path}: {one_line(error)}"
            ) from None
        return Extraction(extraction.last_height, extraction.last_hash)

    def sync(
        self,
        node_url: str,
        follow: bool = False,
        stop: threading.Event | None = None,
        progress: Progress | None = None,
        batch_blocks: int = DEFAULT_BATCH_BLOCKS,
        batch_events: int = DEFAULT_BATCH_EVENTS,
    ) -> SyncProgress:
        """Index the node's blocks after the ledger's cursor: up to the node's height at the
        start, or with `follow` until `stop` is set. Each transaction holds whole blocks and
        the cursor; between transactions, with nothing waiting, the file is released so other
        processes can query it. Returns the final progress."""
        if self.read_only:
            raise LedgerError(f"ledger {self.path} is opened read-only; it cannot sync")
        try:
            with ChainClient(node_url) as probe:
                status = probe.status()
        except ChainError as error:
            raise LedgerError(str(error)) from None
        with self._connect() as con:
            self._check_chain(con, status["chain_id"], node_url)
            height, block_hash = writer.cursor(con)
        started, start, target, events = time.monotonic(), height, status["height"], 0

        def report() -> SyncProgress:
            done = SyncProgress(height, target, height - start, events, time.monotonic() - started)
            if progress is not None:
                progress(done)
            return done

        first = report()
        if not follow and height >= target:
            return first
        feed = BlockFeed(ChainClient(node_url), height + 1)
        pending = Extraction(height, block_hash)
        writing: duckdb.DuckDBPyConnection | None = None

        def commit() -> None:
            nonlocal pending, writing, height, block_hash, events
            if writing is None:
                writing = connect(self.path, False, self.lock_wait_s)
            stored, pending = pending, self._store(writing, pending)
            height, block_hash, events = stored.last_height, stored.last_hash, events + stored.event_count
            report()

        def stopped() -> bool:
            return stop is not None and stop.is_set()

        try:
            while not stopped() and (follow or height < target):
                taken = feed.take(batch_blocks - pending.block_count, _TAKE_TIMEOUT_S)
                for block in taken:
                    self._add(pending, block)
                    if _full(pending, batch_blocks, batch_events):
                        commit()
                # Below the node's height at the start a transaction fills up, unless blocks stop
                # coming for a moment; from there on a block with nothing waiting behind it (the tip)
                # is committed at once.
                if pending.block_count and (
                    not taken or stopped() or (pending.last_height >= target and not feed.pending())
                ):
                    commit()
                if writing is not None and not feed.pending():  # between blocks, let other processes read
                    writing.close()
                    writing = None
        except (ChainError, ConnectionError) as error:
            if pending.block_count:  # the blocks that came before the stream ended are kept
                commit()
            raise LedgerError(f"sync stopped at height {height}: {error}") from None
        finally:
            feed.close()
            if writing is not None:
                writing.close()
        return report()

    def _check_chain(self, con: duckdb.DuckDBPyConnection, chain_id: str, node_url: str) -> None:
        """Record the chain id on first sync; refuse a node of another chain afterwards."""
        # fetchall, not fetchone: DuckDB refuses the next statement while a result is half read
        rows = con.execute("SELECT value FROM ledger_meta WHERE key = 'chain_id'").fetchall()
        if not rows:
            con.execute("INSERT INTO ledger_meta VALUES ('chain_id', ?)", [chain_id])
        elif rows[0][0] != chain_id:
            raise LedgerError(f"ledger {self.path} indexes chain {rows[0][0]!r}, but {node_url} serves {chain_id!r}")


def _full(extraction: Extraction, batch_blocks: int, batch_events: int) -> bool:
    return extraction.block_count >= batch_blocks or extraction.event_count >= batch_events


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # the query itself ended the transaction (an explicit COMMIT or ROLLBACK in it)
