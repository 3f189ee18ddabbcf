import sqlite3
import threading
from pathlib import Path

import pytest

from node.chain.store.db import ChainDB


@pytest.fixture
def db(tmp_path: Path) -> ChainDB:
    database = ChainDB(tmp_path / "chain.db")
    database.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")
    return database


def rows(db: ChainDB) -> list[tuple[str, int]]:
    return [(k, v) for k, v in db.fetch_all("SELECT k, v FROM t ORDER BY k")]


def test_durability_settings(db: ChainDB) -> None:
    assert db.fetch_one("PRAGMA journal_mode") == ("wal",)
    assert db.fetch_one("PRAGMA synchronous") == (2,)  # FULL


def test_transaction_commits_all_writes(tmp_path: Path, db: ChainDB) -> None:
    with db.transaction():
        db.execute("INSERT INTO t VALUES ('a', 1)")
        db.execute("INSERT INTO t VALUES ('b', 2)")
    db.close()
    reopened = ChainDB(tmp_path / "chain.db")
    assert rows(reopened) == [("a", 1), ("b", 2)]


def test_error_rolls_back_the_whole_transaction(db: ChainDB) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with db.transaction():
            db.execute("INSERT INTO t VALUES ('a', 1)")
            raise RuntimeError("boom")
    assert rows(db) == []
    assert not db.in_transaction


def test_failed_statement_rolls_back_earlier_writes(db: ChainDB) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        with db.transaction():
            db.execute("INSERT INTO t VALUES ('a', 1)")
            db.execute("INSERT INTO t VALUES ('a', 2)")
    assert rows(db) == []


def test_nested_failure_undoes_only_the_inner_part(db: ChainDB) -> None:
    with db.transaction():
        db.execute("INSERT INTO t VALUES ('outer', 1)")
        with pytest.raises(ValueError):
            with db.transaction():
                db.execute("INSERT INTO t VALUES ('inner', 2)")
                raise ValueError
        assert db.in_transaction
    assert rows(db) == [("outer", 1)]


def test_outer_failure_undoes_committed_inner_part(db: ChainDB) -> None:
    with pytest.raises(ValueError):
        with db.transaction():
            with db.transaction():
                db.execute("INSERT INTO t VALUES ('inner', 2)")
            raise ValueError
    assert rows(db) == []


def test_other_connection_does_not_see_uncommitted_writes(tmp_path: Path, db: ChainDB) -> None:
    other = ChainDB(tmp_path / "chain.db")
    with db.transaction():
        db.execute("INSERT INTO t VALUES ('a', 1)")
        assert rows(other) == []
    assert rows(other) == [("a", 1)]


def test_reader_thread_waits_for_the_commit(db: ChainDB) -> None:
    seen: list[list[tuple[str, int]]] = []
    inside = threading.Event()
    with db.transaction():
        db.execute("INSERT INTO t VALUES ('a', 1)")

        def read() -> None:
            inside.set()
            seen.append(rows(db))

        reader = threading.Thread(target=read)
        reader.start()
        inside.wait()
        db.execute("INSERT INTO t VALUES ('b', 2)")
    reader.join()
    # The reader started before the second write but could only read after COMMIT.
    assert seen == [[("a", 1), ("b", 2)]]


def test_close_inside_transaction_is_refused(db: ChainDB) -> None:
    with db.transaction():
        with pytest.raises(RuntimeError):
            db.close()
