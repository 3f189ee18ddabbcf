"""The ledger: a chain node's blocks and events indexed into DuckDB tables, with ready-made views.

    from gonka_lab.ledger import Ledger
    ledger = Ledger("ledger.duckdb")
    ledger.sync("127.0.0.1:9090")
    ledger.sql("SELECT * FROM inferences LIMIT 5")
    ledger.views.tokens_served
"""

from gonka_lab.ledger.database import LedgerError
from gonka_lab.ledger.ledger import Ledger, SyncProgress, Views

__all__ = ["Ledger", "LedgerError", "SyncProgress", "Views"]
