"""`inference_totals`: per epoch and executor, the sums the inference views read.

The writer keeps it equal to a GROUP BY over `inferences` in the same transaction as the
inference rows (it subtracts the stored contribution of every row an extraction changes, then
adds the new one), so a view over millions of inferences reads a few hundred rows.

Only finished inferences count, as in the views; an inference is validated or invalidated only
after it finished, so its whole lifecycle lands in its finish's (epoch, executor) group.
"""

from __future__ import annotations

import duckdb

TABLE = "inference_totals"
# (column, what it adds up over one group's finished inferences)
_SUMS = (
    ("inferences", "count(*)"),
    ("prompt_tokens", "sum(prompt_tokens)"),
    ("completion_tokens", "sum(completion_tokens)"),
    ("tokens", "sum(prompt_tokens + completion_tokens)"),
    ("cost", "sum(cost)"),
    ("reputation_sum", "sum(executor_reputation)"),
    ("reputations", "count(executor_reputation)"),  # avg(executor_reputation) = reputation_sum / reputations
    ("validated", "count(*) FILTER (WHERE validations > 0)"),
    ("invalidated", "count(*) FILTER (WHERE status = 'INVALIDATED')"),
)
_DDL = (
    f"CREATE TABLE {TABLE} (epoch BIGINT, executor VARCHAR, "
    + ", ".join(f"{column} BIGINT NOT NULL" for column, _ in _SUMS)
    + ", PRIMARY KEY (epoch, executor))"
)


def change(rows_sql: str, sign: int) -> str:
    """Add (sign 1) or subtract (sign -1) the contribution of the inference rows `rows_sql` selects."""
    sums = ", ".join(f"{sign} * coalesce({expression}, 0)" for _, expression in _SUMS)
    updates = ", ".join(f"{column} = {TABLE}.{column} + excluded.{column}" for column, _ in _SUMS)
    return (
        f"INSERT INTO {TABLE} SELECT epoch, executor, {sums} FROM ({rows_sql}) "
        f"WHERE finished_height IS NOT NULL GROUP BY epoch, executor "
        f"ON CONFLICT (epoch, executor) DO UPDATE SET {updates}"
    )


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table if missing, filled from the stored inferences (a ledger written before it existed)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [TABLE]).fetchall()[0][0]
    if not exists:
        con.execute(_DDL)
        con.execute(change("SELECT * FROM inferences", 1))


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute from `inferences` (for rows written around the writer, like a benchmark's fill)."""
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(change("SELECT * FROM inferences", 1))
