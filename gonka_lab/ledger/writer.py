"""Store an Extraction in one DuckDB transaction together with the cursor.

A crash before COMMIT leaves neither rows nor cursor; after it, both. A restart therefore
continues from the cursor with nothing lost and nothing stored twice.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from gonka_lab.ledger import schema, totals
from gonka_lab.ledger.extract import ADDED, LAST_WINS, BlockOrderError, Extraction

_SOURCE = "ledger_rows"


def _merge_rule(column: str) -> str:
    """The upsert's SET clause for one column: the extractor's merge rules across transactions."""
    new, old = f"excluded.{column}", f"inferences.{column}"
    if column in LAST_WINS:
        return f"{column} = coalesce({new}, {old})"
    if column in ADDED:
        return f"{column} = CASE WHEN {new} IS NULL THEN {old} ELSE coalesce({old}, 0) + {new} END"
    return f"{column} = coalesce({old}, {new})"


# An inference enters the chain's events with inference_started (a Finish that comes first emits
# nothing; an inference that expires before its Start never gets one): a row whose started
# height is in this extraction cannot be stored yet, and takes the cheaper plain insert. Were
# that ever wrong, the primary key would refuse the row and the whole transaction.
_STARTED = schema.INFERENCES.column_names.index("started_height")
_FINISHED = schema.INFERENCES.column_names.index("finished_height")

_INSERT = schema.INFERENCES.insert_sql(_SOURCE)
_UPSERT = (
    _INSERT
    + " ON CONFLICT (inference_id) DO UPDATE SET "
    + ", ".join(_merge_rule(c) for c in schema.INFERENCES.column_names if c != schema.INFERENCES.key)
)
# the stored rows of the inferences in _SOURCE (before the upsert: what it replaces; after: the result)
_STORED = f"SELECT * FROM inferences WHERE inference_id IN (SELECT inference_id FROM {_SOURCE})"


def cursor(con: duckdb.DuckDBPyConnection) -> tuple[int, str | None]:
    """(last indexed height, its block hash); (0, None) for an empty ledger."""
    # fetchall, not fetchone: DuckDB refuses the next statement while a result is half read
    (height, block_hash), = con.execute("SELECT height, block_hash FROM ledger_cursor WHERE id = 1").fetchall()
    return int(height), block_hash


Runner = Callable[[duckdb.DuckDBPyConnection, tuple[str, ...], tuple[str, ...], list[tuple[object, ...]]], None]


def _run(con: duckdb.DuckDBPyConnection, statements: tuple[str, ...], columns: tuple[str, ...],
         rows: list[tuple[object, ...]]) -> None:
    """Run `statements` in order with `rows` readable as the table _SOURCE (a DataFrame)."""
    # object columns: the statements cast every column, so pandas' type inference (str columns
    # into its string dtype) would be work done twice; this halves the frame's cost
    con.register(_SOURCE, pd.DataFrame(rows, columns=list(columns), dtype=object))
    for sql in statements:
        con.execute(sql)
    con.unregister(_SOURCE)


_VALUES_CHUNK = 500


def _run_by_values(con: duckdb.DuckDBPyConnection, statements: tuple[str, ...], columns: tuple[str, ...],
                   rows: list[tuple[object, ...]]) -> None:
    """The same through VALUES chunks: slower, but independent of DuckDB's pandas scan."""
    row_slots = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), _VALUES_CHUNK):
        chunk = rows[start : start + _VALUES_CHUNK]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_SOURCE} AS SELECT * FROM (VALUES {', '.join([row_slots] * len(chunk))})"
            f" AS v({', '.join(columns)})",
            [value for row in chunk for value in row],
        )
        for sql in statements:
            con.execute(sql)
    con.execute(f"DROP TABLE IF EXISTS {_SOURCE}")


def _store_inferences(con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]], run: Runner) -> None:
    """New inferences are inserted; the rest are upserted. inference_totals follows both."""
    columns = schema.INFERENCES.column_names
    new = [row for row in rows if row[_STARTED] is not None]
    changed = [row for row in rows if row[_STARTED] is None]
    if new:
        statements = [_INSERT]
        if any(row[_FINISHED] is not None for row in new):  # at the chain's tip they have only started
            statements.append(totals.change(schema.INFERENCES.select_sql(_SOURCE), 1))
        run(con, tuple(statements), columns, new)
    if changed:
        run(con, (totals.change(_STORED, -1), _UPSERT, totals.change(_STORED, 1)), columns, changed)


def write(con: duckdb.DuckDBPyConnection, extraction: Extraction, after_height: int) -> None:
    """Append `extraction` (which must start right after `after_height`) and move the cursor."""
    if extraction.block_count == 0:
        return
    # DuckDB's pandas scan can vanish from under a transaction: while another connection to the
    # same database opens in this process (another thread querying the ledger a follower writes),
    # or for good in some embedding processes (seen after IPython magics). The failed transaction
    # stored nothing: try once more, then through VALUES.
    for run in (_run, _run, _run_by_values):
        try:
            _write(con, extraction, after_height, run)
            return
        except duckdb.CatalogException as error:
            if "pandas_scan" not in str(error) or run is _run_by_values:
                raise


def _write(con: duckdb.DuckDBPyConnection, extraction: Extraction, after_height: int, run: Runner) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        # Checked inside the transaction: a second writer that got here first makes this one fail, not repeat.
        if cursor(con)[0] != after_height:
            raise BlockOrderError(f"the ledger moved to height {cursor(con)[0]} while blocks after {after_height} "
                                  "were being prepared; is another sync writing to it?")
        for table in schema.TABLES:
            if table is schema.INFERENCES:
                _store_inferences(con, extraction.inference_rows(), run)
            elif extraction.rows[table.name]:
                run(con, (table.insert_sql(_SOURCE),), table.column_names, extraction.rows[table.name])
        con.execute(
            "UPDATE ledger_cursor SET height = ?, block_hash = ? WHERE id = 1",
            [extraction.last_height, extraction.last_hash],
        )
        _commit(con, checkpoint=extraction.event_count >= _CHECKPOINT_AT_COMMIT_EVENTS)
    except BaseException:
        con.execute("ROLLBACK")
        raise


# A transaction of at least this many events (one DuckDB row group) is checkpointed at its COMMIT:
# DuckDB then writes it straight into the file, skipping the WAL, instead of into the WAL and a
# second time at the next checkpoint; either way it is durable once COMMIT returns. A smaller one
# (a block at the chain's tip) goes through the WAL: a checkpoint rewrites the last row group of
# every table it touched, too much work for one block.
_CHECKPOINT_AT_COMMIT_EVENTS = 122_880


def _commit(con: duckdb.DuckDBPyConnection, checkpoint: bool) -> None:
    """COMMIT; with `checkpoint`, as a checkpoint (see _CHECKPOINT_AT_COMMIT_EVENTS)."""
    if not checkpoint:
        con.execute("COMMIT")
        return
    con.execute("SET checkpoint_threshold = '0MB'")  # a setting of the database, not of the transaction
    try:
        con.execute("COMMIT")
    finally:
        con.execute("RESET checkpoint_threshold")
