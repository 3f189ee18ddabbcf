"""The chain node's one SQLite database: connection, durability settings, transactions.

WAL mode with synchronous=FULL: every COMMIT is fsynced, so a committed height
survives a process crash and an OS crash. The consensus engine opens ONE
transaction per height and, inside it, saves the block, its commit and the
results and calls `app.commit()`; since all of it lands in one COMMIT or none
of it does, a torn height (block stored but state not, or the reverse) cannot
exist on disk.

The connection is shared between the engine's thread and query threads, so a
re-entrant lock serializes every statement and holds for a whole transaction:
a reader on another thread waits for the COMMIT and never sees half a height.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SqlParams = Sequence[Any]


class ChainDB:
    def __init__(self, path: str | Path) -> None:
        # isolation_level=None: the sqlite3 module never opens transactions on
        # its own; `transaction()` is the only place that does.
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK if the block raises.

        Nested use becomes a SAVEPOINT: an inner failure undoes only the inner
        writes (and re-raises), an outer failure undoes everything.
        """
        with self._lock:
            name = f"sp{self._depth}"
            self._conn.execute("BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                else:
                    self._conn.execute(f"ROLLBACK TO {name}")
                    self._conn.execute(f"RELEASE {name}")
                raise
            self._depth -= 1
            self._conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {name}")

    @contextmanager
    def read(self) -> Iterator[None]:
        """Hold the connection for several reads that must see one committed height."""
        with self._lock:
            yield

    def execute(self, sql: str, params: SqlParams = ()) -> None:
        with self._lock:
            self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[SqlParams]) -> None:
        with self._lock:
            self._conn.executemany(sql, rows)

    def fetch_one(self, sql: str, params: SqlParams = ()) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._conn.execute(sql, params).fetchone()
            return row

    def fetch_all(self, sql: str, params: SqlParams = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            if self._depth:
                raise RuntimeError("cannot close the database inside an open transaction")
            self._conn.close()
