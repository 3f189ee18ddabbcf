"""The inference txs an api node still owes the chain, kept on disk until their fate is settled.

A Start or Finish is recorded here before it is first sent and removed once it is in a block,
a duplicate of one that is, or refused for good. An api node killed meanwhile sends what is
left again when it starts (`InferenceTxs.resume`): the executor is still paid for the answers
it gave, instead of their inferences expiring. A copy that had landed after all comes back as
a harmless duplicate; one too late for its inference is refused ("expired") and dropped.

SQLite in WAL mode with synchronous=NORMAL: a commit survives the process being killed (the
case this is for) without an fsync on every request's path.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from google.protobuf.any_pb2 import Any
from google.protobuf.message import Message

from node.core.tx import message_type_url, unpack_message

FILE_NAME = "outbox.sqlite"


class Outbox:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(data_dir / FILE_NAME, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS outbox (key INTEGER PRIMARY KEY, message BLOB NOT NULL)")

    def put(self, message: Message) -> int:
        """Record a registered message; its key."""
        packed = Any(type_url=message_type_url(message), value=message.SerializeToString(deterministic=True))
        cursor = self._db.execute("INSERT INTO outbox (message) VALUES (?)", (packed.SerializeToString(),))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def remove(self, key: int) -> None:
        self._db.execute("DELETE FROM outbox WHERE key = ?", (key,))

    def pending(self) -> list[tuple[int, Message]]:
        """What is still owed, oldest first."""
        rows = self._db.execute("SELECT key, message FROM outbox ORDER BY key").fetchall()
        return [(key, unpack_message(Any.FromString(blob))) for key, blob in rows]
