"""SIGKILL of an indexing process while its transaction is open: the file keeps exactly the
batches committed before, and a restart stores the rest once (the devnet version, killing a
`gonka ledger sync --follow` at three moments, is tests/integration/test_ledger.py)."""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from gonka_lab.ledger import Ledger
from node.devnet.supervisor import wait_for

from .test_indexing import index, snapshot

BATCH = 40
DEADLINE_S = 60.0

# The victim: indexes in batches of BATCH blocks and, once the second batch's transaction has
# stored its first table, announces it and hangs there until it is killed.
VICTIM = """
import pickle, sys, threading
from pathlib import Path
from gonka_lab.ledger import Ledger, writer

db, blocks_file, marker, batch = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
store = writer._run

def store_then_hang(con, statements, columns, rows):
    store(con, statements, columns, rows)
    if writer.cursor(con)[0] >= batch:  # inside the second transaction, which has not committed
        marker.write_text("in transaction")
        threading.Event().wait()

writer._run = store_then_hang
Ledger(db).index_blocks(pickle.loads(blocks_file.read_bytes()), batch_blocks=batch)
"""


def test_a_kill_inside_a_transaction_loses_and_duplicates_nothing(tmp_path: Path,
                                                                  blocks: list[dict[str, Any]]) -> None:
    db, blocks_file, marker = tmp_path / "ledger.duckdb", tmp_path / "blocks.pickle", tmp_path / "marker"
    blocks_file.write_bytes(pickle.dumps(blocks))
    victim = subprocess.Popen([sys.executable, "-c", VICTIM, str(db), str(blocks_file), str(marker), str(BATCH)],
                              stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: marker.exists() or victim.poll() is not None, DEADLINE_S, 0.05)
        assert marker.exists(), victim.communicate()[1].decode()[-2000:]
        victim.send_signal(signal.SIGKILL)
        victim.wait(DEADLINE_S)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
    ledger = Ledger(db)
    assert ledger.height == BATCH  # the first batch, and nothing of the second
    assert snapshot(ledger) == snapshot(index(tmp_path / "first.duckdb", blocks[:BATCH]))
    ledger.index_blocks(blocks[BATCH:])
    assert snapshot(ledger) == snapshot(index(tmp_path / "straight.duckdb", blocks))
