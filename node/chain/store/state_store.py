"""Committed app state: an ordered bytes -> bytes table plus the app-hash chain.

The app hash is a hash chain over state diffs, not a Merkle tree:

    diff_hash(h) = SHA-256 over block h's writes sorted by key, each encoded as
                   u32 len(key) || key || 0x00                        (deletion)
                   u32 len(key) || key || 0x01 || u32 len(value) || value
    app_hash(h)  = SHA-256(app_hash(h-1) || diff_hash(h)),  app_hash(-1) = 32 zero bytes

Height 0 is the genesis state written by init_chain. Two nodes agree on
app_hash(h) iff they applied the same writes at every height up to h, so a
divergence is caught at the next block, and a fresh node replaying the stored
blocks reproduces every hash. What it cannot give is an inclusion proof: a
light client cannot check one key's value against the hash without the whole
history. The key layout must stay deterministic (same writes, same order of
application) but nothing else about it is hashed.

Reads here see committed state only; pending writes live in an Overlay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from node.chain.store.db import ChainDB
from node.chain.store.meta import MetaStore
from node.chain.store.overlay import Write, check_key

GENESIS_PARENT_HASH = bytes(32)
_LAST_HEIGHT = "last_height"
_LAST_APP_HASH = "last_app_hash"


def diff_hash(writes: Sequence[Write]) -> bytes:
    digest = hashlib.sha256()
    previous: bytes | None = None
    for key, value in writes:
        check_key(key)
        if previous is not None and key <= previous:
            raise ValueError("writes must be sorted by key with no duplicates")
        previous = key
        digest.update(len(key).to_bytes(4, "big") + key)
        if value is None:
            digest.update(b"\x00")
        else:
            digest.update(b"\x01" + len(value).to_bytes(4, "big") + value)
    return digest.digest()


def chain_app_hash(previous_app_hash: bytes, writes: Sequence[Write]) -> bytes:
    return hashlib.sha256(previous_app_hash + diff_hash(writes)).digest()


def _prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with `prefix` (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


class StateStore:
    def __init__(self, db: ChainDB) -> None:
        self._db = db
        self._meta = MetaStore(db)
        db.execute("CREATE TABLE IF NOT EXISTS state (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID")

    def get(self, key: bytes) -> bytes | None:
        row = self._db.fetch_one("SELECT value FROM state WHERE key = ?", (key,))
        return None if row is None else bytes(row[0])

    def prefix_items(self, prefix: bytes) -> list[tuple[bytes, bytes]]:
        end = _prefix_end(prefix)
        if end is None:
            rows = self._db.fetch_all("SELECT key, value FROM state WHERE key >= ? ORDER BY key", (prefix,))
        else:
            rows = self._db.fetch_all(
                "SELECT key, value FROM state WHERE key >= ? AND key < ? ORDER BY key", (prefix, end)
            )
        return [(bytes(key), bytes(value)) for key, value in rows]

    @property
    def last_height(self) -> int | None:
        """The last committed height; 0 after genesis, None before it."""
        return self._meta.get_int(_LAST_HEIGHT)

    @property
    def last_app_hash(self) -> bytes:
        return self._meta.get(_LAST_APP_HASH) or b""

    def next_app_hash(self, writes: Sequence[Write]) -> bytes:
        """The app hash that committing `writes` as the next height would produce."""
        parent = GENESIS_PARENT_HASH if self.last_height is None else self.last_app_hash
        return chain_app_hash(parent, writes)

    def commit(self, height: int, writes: Sequence[Write]) -> bytes:
        """Write one height's diff and chain the app hash; returns the new app hash.

        Runs inside the caller's transaction when one is open (the engine's
        per-height transaction), otherwise in its own.
        """
        last = self.last_height
        expected = 0 if last is None else last + 1
        if height != expected:
            raise ValueError(f"cannot commit height {height}: the next height is {expected}")
        app_hash = self.next_app_hash(writes)
        upserts = [(key, value) for key, value in writes if value is not None]
        deletes = [(key,) for key, value in writes if value is None]
        with self._db.transaction():
            self._db.executemany("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", upserts)
            self._db.executemany("DELETE FROM state WHERE key = ?", deletes)
            self._meta.put_int(_LAST_HEIGHT, height)
            self._meta.put(_LAST_APP_HASH, app_hash)
        return app_hash
