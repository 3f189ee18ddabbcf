"""Blocks, commits, execution results and the tx index, by height.

Block and commit bytes are opaque protobuf blobs from the consensus engine;
this store only keeps them in height order. Results (per-tx code/log/events,
block events, validator updates, app hash) are what `finalize_block`
returned, kept so that the engine can serve and stream them and the tx index
can answer "where did my tx land".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from node.chain.app.abci import Event, FinalizeResult, TxResult, ValidatorUpdate
from node.chain.store.db import ChainDB
from node.core.hashing import tx_hash

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS blocks (
        height INTEGER PRIMARY KEY,
        hash BLOB NOT NULL UNIQUE,
        block BLOB NOT NULL,
        seen_commit BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS block_results (
        height INTEGER PRIMARY KEY REFERENCES blocks (height),
        events TEXT NOT NULL,
        validator_updates TEXT NOT NULL,
        app_hash BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS txs (
        height INTEGER NOT NULL REFERENCES blocks (height),
        idx INTEGER NOT NULL,
        hash TEXT NOT NULL,
        tx BLOB NOT NULL,
        code INTEGER NOT NULL,
        log TEXT NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (height, idx))""",
    "CREATE INDEX IF NOT EXISTS txs_by_hash ON txs (hash, height)",
)


_MAX_HEIGHT = 2**63 - 1  # SQLite INTEGER


@dataclass(frozen=True)
class IndexedTx:
    """Where a tx landed and how it ended."""

    height: int
    index: int
    code: int
    log: str
    events: tuple[Event, ...]
    tx: bytes


def _encode_events(events: Sequence[Event]) -> str:
    return json.dumps([[event.type, [list(pair) for pair in event.attributes]] for event in events])


def _decode_events(text: str) -> tuple[Event, ...]:
    return tuple(Event(kind, tuple((key, value) for key, value in attrs)) for kind, attrs in json.loads(text))


def _check_bytes(name: str, value: Any) -> None:
    if not isinstance(value, bytes) or not value:
        raise ValueError(f"{name} must be non-empty bytes")


class BlockStore:
    def __init__(self, db: ChainDB) -> None:
        self._db = db
        with db.transaction():
            for statement in _SCHEMA:
                db.execute(statement)

    def latest_height(self) -> int:
        """The highest stored block height; 0 when no block is stored."""
        row = self._db.fetch_one("SELECT MAX(height) FROM blocks")
        return 0 if row is None or row[0] is None else int(row[0])

    def save_block(
        self,
        height: int,
        block_hash: bytes,
        block_bytes: bytes,
        commit_bytes: bytes,
        txs: Sequence[bytes],
        result: FinalizeResult,
    ) -> None:
        """Store a decided block with its commit and finalize results (joins an open transaction)."""
        expected = self.latest_height() + 1
        if isinstance(height, bool) or not isinstance(height, int) or height != expected:
            raise ValueError(f"cannot save block at height {height!r}: the next height is {expected}")
        for name, value in (("block_hash", block_hash), ("block_bytes", block_bytes), ("commit_bytes", commit_bytes)):
            _check_bytes(name, value)
        if len(txs) != len(result.tx_results):
            raise ValueError(f"{len(txs)} txs but {len(result.tx_results)} tx results")
        for tx in txs:
            _check_bytes("tx", tx)
        updates = json.dumps([[update.public_key.hex(), update.power] for update in result.validator_updates])
        tx_rows = [
            (height, index, tx_hash(tx), tx, res.code, res.log, _encode_events(res.events))
            for index, (tx, res) in enumerate(zip(txs, result.tx_results, strict=True))
        ]
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO blocks (height, hash, block, seen_commit) VALUES (?, ?, ?, ?)",
                (height, block_hash, block_bytes, commit_bytes),
            )
            self._db.execute(
                "INSERT INTO block_results (height, events, validator_updates, app_hash) VALUES (?, ?, ?, ?)",
                (height, _encode_events(result.events), updates, result.app_hash),
            )
            self._db.executemany(
                "INSERT INTO txs (height, idx, hash, tx, code, log, events) VALUES (?, ?, ?, ?, ?, ?, ?)", tx_rows
            )

    def replace_commit(self, height: int, commit_bytes: bytes) -> None:
        """Swap the stored commit of a block (e.g. for one carrying more signatures)."""
        _check_bytes("commit_bytes", commit_bytes)
        if self.load_block_hash(height) is None:
            raise ValueError(f"no block stored at height {height}")
        self._db.execute("UPDATE blocks SET seen_commit = ? WHERE height = ?", (commit_bytes, height))

    def _load_column(self, column: str, height: int) -> bytes | None:
        if not 0 < height <= _MAX_HEIGHT:  # a height from the wire may not fit SQLite's INTEGER
            return None
        row = self._db.fetch_one(f"SELECT {column} FROM blocks WHERE height = ?", (height,))
        return None if row is None else bytes(row[0])

    def load_block(self, height: int) -> bytes | None:
        return self._load_column("block", height)

    def load_commit(self, height: int) -> bytes | None:
        return self._load_column("seen_commit", height)

    def load_block_hash(self, height: int) -> bytes | None:
        return self._load_column("hash", height)

    def load_txs(self, height: int) -> list[bytes]:
        rows = self._db.fetch_all("SELECT tx FROM txs WHERE height = ? ORDER BY idx", (height,))
        return [bytes(row[0]) for row in rows]

    def load_results(self, height: int) -> FinalizeResult | None:
        """What finalize_block returned for `height` (events for streaming and the indexer)."""
        if not 0 < height <= _MAX_HEIGHT:
            return None
        row = self._db.fetch_one(
            "SELECT events, validator_updates, app_hash FROM block_results WHERE height = ?", (height,)
        )
        if row is None:
            return None
        events, updates, app_hash = row
        tx_rows = self._db.fetch_all("SELECT code, log, events FROM txs WHERE height = ? ORDER BY idx", (height,))
        return FinalizeResult(
            tx_results=tuple(TxResult(code, log, _decode_events(tx_events)) for code, log, tx_events in tx_rows),
            events=_decode_events(events),
            validator_updates=tuple(ValidatorUpdate(bytes.fromhex(key), power) for key, power in json.loads(updates)),
            app_hash=bytes(app_hash),
        )

    def find_tx(self, hash: str) -> IndexedTx | None:  # noqa: A002 - the tx hash, as clients name it
        """Where a tx landed. A tx included more than once (a replay that failed) gives its first inclusion."""
        row = self._db.fetch_one(
            "SELECT height, idx, code, log, events, tx FROM txs WHERE hash = ? ORDER BY height, idx LIMIT 1",
            (hash.upper(),),
        )
        if row is None:
            return None
        height, index, code, log, events, tx = row
        return IndexedTx(height, index, code, log, _decode_events(events), bytes(tx))
