"""What the engine persists beside blocks: validator sets per height and committed evidence.

Written inside the engine's per-height transaction, so it is always consistent with
the block store and the app state.
"""

from __future__ import annotations

import json

from node.chain.consensus.validators import ValidatorSet
from node.chain.store.db import ChainDB


class ConsensusStore:
    def __init__(self, db: ChainDB) -> None:
        self._db = db
        db.execute("CREATE TABLE IF NOT EXISTS consensus_validators (height INTEGER PRIMARY KEY, data TEXT NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS consensus_evidence (hash BLOB PRIMARY KEY, height INTEGER NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS consensus_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)")

    def save_validators(self, height: int, validators: ValidatorSet) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO consensus_validators (height, data) VALUES (?, ?)",
            (height, json.dumps(validators.to_json())),
        )

    def load_validators(self, height: int) -> ValidatorSet | None:
        row = self._db.fetch_one("SELECT data FROM consensus_validators WHERE height = ?", (height,))
        return None if row is None else ValidatorSet.from_json(json.loads(row[0]))

    def record_evidence(self, evidence_hash: bytes, height: int) -> None:
        self._db.execute("INSERT OR IGNORE INTO consensus_evidence (hash, height) VALUES (?, ?)", (evidence_hash, height))

    def has_evidence(self, evidence_hash: bytes) -> bool:
        return self._db.fetch_one("SELECT 1 FROM consensus_evidence WHERE hash = ?", (evidence_hash,)) is not None

    def put(self, name: str, value: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO consensus_meta (name, value) VALUES (?, ?)", (name, value))

    def get(self, name: str) -> bytes | None:
        row = self._db.fetch_one("SELECT value FROM consensus_meta WHERE name = ?", (name,))
        return None if row is None else bytes(row[0])
