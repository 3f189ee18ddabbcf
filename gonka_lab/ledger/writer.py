"""Store an Extraction in one DuckDB transaction together with the cursor.

A crash before COMMIT leaves neither rows nor cursor; after it, both. A restart therefore
continues from the cursor with nothing lost and nothing stored twice.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from gonka_lab.ledger import schema
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

_UPSERT = (
    schema.INFERENCES.insert_sql(_SOURCE)
    + " ON CONFLICT (inference_id) DO UPDATE SET "
    + ", ".join(_merge_rule(c) for c in schema.INFERENCES.column_names if c != schema.INFERENCES.key)
)


def cursor(con: duckdb.DuckDBPyConnection) -> tuple[int, str | None]:
    """(last indexed height, its block hash); (0, None) for an empty ledger."""
    # fetchall, not fetchone: DuckDB refuses the next statement while a result is half read
    (height, block_hash), = con.execute("SELECT height, block_hash FROM ledger_cursor WHERE id = 1").fetchall()
    return int(height), block_hash


def _insert(con: duckdb.DuckDBPyConnection, sql: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    frame = pd.DataFrame(rows, columns=list(columns))
    try:
        con.register(_SOURCE, frame)
    except duckdb.Error:
        _insert_by_values(con, sql, columns, rows)
        return
    try:
        con.execute(sql)
    except duckdb.CatalogException as error:
        # DuckDB loses its pandas scan in some embedding processes (seen after IPython magics in
        # one pytest process): fall back to a VALUES source, slower but independent of pandas
        if "pandas_scan" not in str(error):
            raise
        con.unregister(_SOURCE)
        _insert_by_values(con, sql, columns, rows)
        return
    con.unregister(_SOURCE)


_VALUES_CHUNK = 500


def _insert_by_values(con: duckdb.DuckDBPyConnection, sql: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    row_slots = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), _VALUES_CHUNK):
        chunk = rows[start : start + _VALUES_CHUNK]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_SOURCE} AS SELECT * FROM (VALUES {', '.join([row_slots] * len(chunk))})"
            f" AS v({', '.join(columns)})",
            [value for row in chunk for value in row],
        )
        con.execute(sql)
    con.execute(f"DROP TABLE IF EXISTS {_SOURCE}")


def write(con: duckdb.DuckDBPyConnection, extraction: Extraction, after_height: int) -> None:
    """Append `extraction` (which must start right after `after_height`) and move the cursor."""
    if extraction.block_count == 0:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        # Checked inside the transaction: a second writer that got here first makes this one fail, not repeat.
        if cursor(con)[0] != after_height:
            raise BlockOrderError(f"the ledger moved to height {cursor(con)[0]} while blocks after {after_height} "
                                  "were being prepared; is another sync writing to it?")
        for table in schema.TABLES:
            if table is schema.INFERENCES:
                rows = extraction.inference_rows()
                new = [row for row in rows if row[_STARTED] is not None]
                changed = [row for row in rows if row[_STARTED] is None]
                for sql, part in ((table.insert_sql(_SOURCE), new), (_UPSERT, changed)):
                    if part:
                        _insert(con, sql, table.column_names, part)
            elif extraction.rows[table.name]:
                _insert(con, table.insert_sql(_SOURCE), table.column_names, extraction.rows[table.name])
        con.execute(
            "UPDATE ledger_cursor SET height = ?, block_hash = ? WHERE id = 1",
            [extraction.last_height, extraction.last_hash],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
