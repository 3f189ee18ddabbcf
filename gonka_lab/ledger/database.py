"""Opening a ledger file: DuckDB lets one process write a file at a time, so an open that
finds the file locked by another process (say a `gonka ledger sync --follow` between two
blocks) waits for it, polling, up to a deadline."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

_POLL_S = 0.05


class LedgerError(Exception):
    """A user-facing ledger problem: one clear line, no traceback."""


def _locked(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


def connect(path: Path, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as error:
            if not _locked(error):
                raise LedgerError(f"cannot open ledger {path}: {one_line(error)}") from None
            if time.monotonic() >= deadline:
                raise LedgerError(
                    f"ledger {path} stayed locked by another process for {wait_s:g} s: {one_line(error)}"
                ) from None
        time.sleep(_POLL_S)


def one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
