"""A small named-value table for what is about the chain rather than in its state.

Holds the last committed height and app hash (written by StateStore.commit),
the stored genesis and the last block time. None of it feeds the app hash;
all of it is written in the same transaction as the height it describes.
"""

from __future__ import annotations

from node.chain.store.db import ChainDB


class MetaStore:
    def __init__(self, db: ChainDB) -> None:
        self._db = db
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID")

    def get(self, name: str) -> bytes | None:
        row = self._db.fetch_one("SELECT value FROM meta WHERE name = ?", (name,))
        return None if row is None else bytes(row[0])

    def put(self, name: str, value: bytes) -> None:
        if not isinstance(value, bytes):
            raise TypeError(f"meta value for {name!r} must be bytes")
        self._db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    def get_int(self, name: str) -> int | None:
        raw = self.get(name)
        return None if raw is None else int(raw.decode())

    def put_int(self, name: str, value: int) -> None:
        self.put(name, str(value).encode())
