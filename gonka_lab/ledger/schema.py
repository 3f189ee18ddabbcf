"""The ledger's DuckDB tables, declared once: the DDL, the insert statements and the
extractor's row layouts all come from TABLES.

Every value the chain puts in an event attribute is a string; rows keep them as strings and
the insert casts each column to its declared type inside DuckDB (exact for u64 amounts, and
vectorized), so nothing passes through a float on the way.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from gonka_lab.ledger import totals

SCHEMA_VERSION = "2"  # 2: inference_totals (added to a version-1 file when it is opened for writing)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    key: str | None = None  # primary key column: a second row for the same key is a bug, refused

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def ddl(self) -> str:
        columns = [f"{name} {kind}{' PRIMARY KEY' if name == self.key else ''}" for name, kind in self.columns]
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(columns)})"

    def select_sql(self, source: str) -> str:
        """The rows of a registered frame whose columns are in this table's order, cast to its types."""
        casts = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in self.columns)
        return f"SELECT {casts} FROM {source}"

    def insert_sql(self, source: str) -> str:
        """INSERT from a registered frame whose columns are in this table's order."""
        return f"INSERT INTO {self.name} ({', '.join(self.column_names)}) {self.select_sql(source)}"


def _table(name: str, spec: str, key: str | None = None) -> Table:
    """'col TYPE, col TYPE, …' -> Table (keeps the declarations below readable)."""
    columns = tuple(tuple(part.split()) for part in spec.split(","))
    return Table(name, columns, key)  # type: ignore[arg-type]


_WHERE = "height BIGINT, tx_index INTEGER"  # tx_index is NULL for block-level events

BLOCKS = _table(
    "blocks",
    "height BIGINT, hash VARCHAR, app_hash VARCHAR, time_ms BIGINT, proposer VARCHAR, "
    "tx_count INTEGER, event_count INTEGER, evidence_count INTEGER",
    key="height",
)
# No key on txs.hash: a tx belongs to one block and the blocks' key already refuses a second
# copy of a block (an index on 64-character hashes would cost more than the rest of the row).
TXS = _table(
    "txs", f"{_WHERE}, hash VARCHAR, code INTEGER, log VARCHAR, sender VARCHAR, actions VARCHAR, event_count INTEGER"
)
EVENTS = _table("events", f"{_WHERE}, event_index INTEGER, type VARCHAR, attributes JSON")
PARTICIPANTS_BY_EPOCH = _table(
    "participants_by_epoch",
    "epoch BIGINT, address VARCHAR, claimed BIGINT, weight BIGINT, voting_power BIGINT, accepted BOOLEAN, "
    "reason VARCHAR, height BIGINT",
)
POC_BATCHES = _table(
    "poc_batches",
    f"{_WHERE}, address VARCHAR, poc_start_height BIGINT, batch_id VARCHAR, node_id VARCHAR, nonce_count BIGINT",
)
POC_VALIDATIONS = _table(
    "poc_validations",
    f"{_WHERE}, validator VARCHAR, participant VARCHAR, poc_start_height BIGINT, n_invalid BIGINT, "
    "fraud_detected BOOLEAN",
)
# One row per inference, updated as its lifecycle events arrive (see extract.Extraction.patch);
# its per-epoch sums are kept in totals.TABLE.
INFERENCES = _table(
    "inferences",
    "inference_id VARCHAR, status VARCHAR, model VARCHAR, requester VARCHAR, transferred_by VARCHAR, "
    "executor VARCHAR, epoch BIGINT, started_height BIGINT, finished_height BIGINT, validated_height BIGINT, "
    "invalidated_height BIGINT, expired_height BIGINT, prompt_tokens BIGINT, completion_tokens BIGINT, "
    "per_token_price BIGINT, escrow BIGINT, cost BIGINT, refund BIGINT, executor_power BIGINT, "
    "executor_reputation BIGINT, total_power BIGINT, validations INTEGER",
    key="inference_id",
)
VALIDATIONS = _table(
    "validations",
    f"{_WHERE}, inference_id VARCHAR, validator VARCHAR, executor VARCHAR, model VARCHAR, value_ppm BIGINT, "
    "threshold_ppm BIGINT, passed BOOLEAN, revalidation BOOLEAN, needs_revalidation BOOLEAN, status VARCHAR",
)
SETTLEMENTS = _table(
    "settlements", "height BIGINT, epoch BIGINT, address VARCHAR, work_coins BIGINT, reward_coins BIGINT"
)
# kind: claim | mint | burn | slash | forfeit. A slash or forfeit also appears as the burn behind it.
REWARDS = _table(
    "rewards",
    f"{_WHERE}, kind VARCHAR, address VARCHAR, epoch BIGINT, amount BIGINT, work_coins BIGINT, "
    "reward_coins BIGINT, burned BIGINT, reason VARCHAR",
)
# source: cheater_marked (PoC fraud or an INVALID executor) | validator_jailed (double signing).
CHEATERS = _table("cheaters", "height BIGINT, epoch BIGINT, address VARCHAR, reason VARCHAR, source VARCHAR")

# Insert order within a block's transaction; inferences are upserted, not inserted (writer.py).
TABLES: tuple[Table, ...] = (
    BLOCKS, TXS, EVENTS, PARTICIPANTS_BY_EPOCH, POC_BATCHES, POC_VALIDATIONS, VALIDATIONS, SETTLEMENTS,
    REWARDS, CHEATERS, INFERENCES,
)

_META = (
    "CREATE TABLE IF NOT EXISTS ledger_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    # The last fully indexed block; advanced in the same transaction as that block's rows.
    "CREATE TABLE IF NOT EXISTS ledger_cursor (id INTEGER PRIMARY KEY, height BIGINT NOT NULL, block_hash VARCHAR)",
)


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that does not exist yet (idempotent)."""
    con.execute("BEGIN TRANSACTION")
    for statement in (*_META, *(table.ddl() for table in TABLES)):
        con.execute(statement)
    totals.create(con)
    con.execute("INSERT OR REPLACE INTO ledger_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    con.execute("INSERT INTO ledger_cursor VALUES (1, 0, NULL) ON CONFLICT DO NOTHING")
    con.execute("COMMIT")
