"""`Ledger(db_path)`: a DuckDB index of a chain's blocks and events, and the API the CLI and
the notebook magics use (`sync`, `sql`, `views`)."""

from __future__ import annotations

import itertools
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

DEFAULT_BATCH_BLOCKS = 1000
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

    def index_blocks(self, blocks: Iterable[dict[str, Any]], batch_blocks: int = DEFAULT_BATCH_BLOCKS) -> int:
        """Index blocks (as `ChainClient.stream_blocks` yields them) that continue the ledger,
        `batch_blocks` whole blocks per transaction. Returns the number of events indexed."""
        events = 0
        blocks = iter(blocks)
        with self._connect() as con:
            height, block_hash = writer.cursor(con)
            while run := list(itertools.islice(blocks, batch_blocks)):
                stored = self._store(con, run, height, block_hash)
                height, block_hash, events = stored.last_height, stored.last_hash, events + stored.event_count
        return events

    def _store(
        self, con: duckdb.DuckDBPyConnection, blocks: list[dict[str, Any]], height: int, block_hash: str | None
    ) -> Extraction:
        """Blocks that follow (height, block_hash) -> rows, stored with the cursor in one transaction."""
        extraction = Extraction(height, block_hash)
        try:
            extraction.add_all(blocks)
            writer.write(con, extraction, height)
        except ValueError as error:  # blocks out of order, from another chain, or malformed
            raise LedgerError(f"ledger {self.path}: {error}") from None
        except duckdb.Error as error:
            raise LedgerError(f"cannot store blocks after {height} in {self.path}: {one_line(error)}") from None
        return extraction

    def sync(
        self,
        node_url: str,
        follow: bool = False,
        stop: threading.Event | None = None,
        progress: Progress | None = None,
        batch_blocks: int = DEFAULT_BATCH_BLOCKS,
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
        writing: duckdb.DuckDBPyConnection | None = None
        try:
            while not (stop is not None and stop.is_set()) and (follow or height < target):
                blocks = feed.take(batch_blocks, _TAKE_TIMEOUT_S)
                if not blocks:
                    continue
                if writing is None:
                    writing = connect(self.path, False, self.lock_wait_s)
                stored = self._store(writing, blocks, height, block_hash)
                height, block_hash, events = stored.last_height, stored.last_hash, events + stored.event_count
                report()
                if not feed.pending():  # at the tip: let other processes read between blocks
                    writing.close()
                    writing = None
        except (ChainError, ConnectionError) as error:
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


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # the query itself ended the transaction (an explicit COMMIT or ROLLBACK in it)
