"""The ledger against a live 4-validator devnet: a real `gonka ledger sync --follow` process,
SIGKILLed three times while transfers land, loses and duplicates nothing, and after a
multi-epoch run its blocks, txs, events and coin flows equal the chain's."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from gonka_lab.ledger import Ledger, LedgerError
from node.chain.client import ChainClient
from node.core.keys import AccountKey
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for

from .chain_helpers import wait_height

pytestmark = pytest.mark.slow

EPOCH_BLOCKS = 40
MULTI_EPOCH_HEIGHT = 3 * EPOCH_BLOCKS  # past two devnet PoCs (at 20 and 60) and their settlements
TRANSFERS = 30
DEADLINE_S = 90.0


def start_follower(url: str, db: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gonka_lab.cli", "ledger", "sync", "--follow", "--node", url, "--db", str(db)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )


def ledger_height(db: Path) -> int:
    """Read from this process while the follower owns the file between its transactions."""
    if not db.exists():
        return 0
    try:
        return Ledger(db, read_only=True, lock_wait_s=2.0).height
    except LedgerError:
        return 0


def send_transfers(devnet: Devnet, sent: list[str]) -> None:
    sender = AccountKey.generate()
    funded = devnet.fund(sender.address, 10**12, wait=True, timeout_s=30)
    assert funded["committed"] and funded["code"] == 0, funded
    sent.append(funded["hash"])
    with devnet.client("p2-chain") as client:
        for _ in range(TRANSFERS):
            result = client.send_tokens(sender, AccountKey.generate().address, 1000, wait=True, timeout_s=30)
            assert result["committed"] and result["code"] == 0, result
            sent.append(result["hash"])


def test_killed_follower_loses_and_duplicates_nothing(devnet: Devnet, tmp_path: Path) -> None:
    url = devnet.node("p1-chain").url
    db, log = tmp_path / "ledger.duckdb", tmp_path / "follower.log"
    sent: list[str] = []
    sender = threading.Thread(target=send_transfers, args=(devnet, sent))
    sender.start()
    follower = start_follower(url, db, log)
    try:
        # kill during the first catch-up, then right after a restart, then at the chain's tip
        for _ in range(3):
            floor = ledger_height(db)
            assert wait_for(lambda floor=floor: ledger_height(db) > floor, DEADLINE_S, 0.05), log.read_text()[-2000:]
            follower.send_signal(signal.SIGKILL)
            follower.wait(DEADLINE_S)
            follower = start_follower(url, db, log)
        sender.join(DEADLINE_S * 2)
        assert not sender.is_alive() and len(sent) == TRANSFERS + 1
        wait_height(url, MULTI_EPOCH_HEIGHT, timeout_s=DEADLINE_S * 2)
        with ChainClient(url) as client:
            target = client.status()["height"]
        assert wait_for(lambda: ledger_height(db) >= target, DEADLINE_S, 0.1), log.read_text()[-2000:]
        follower.send_signal(signal.SIGTERM)  # a clean stop between two transactions
        assert follower.wait(DEADLINE_S) == 0, log.read_text()[-2000:]
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()
    check_against_chain(Ledger(db, read_only=True), url, sent)


def check_against_chain(ledger: Ledger, url: str, sent: list[str]) -> None:
    height = ledger.height
    blocks = ledger.sql("SELECT height, hash, event_count FROM blocks ORDER BY height")
    assert list(blocks["height"]) == list(range(1, height + 1))  # every block, once
    tx_rows = ledger.sql("SELECT hash, height, code FROM txs")
    assert tx_rows["hash"].is_unique
    assert Counter(ledger.sql("SELECT height FROM events")["height"]) == {
        h: n for h, n in zip(blocks["height"], blocks["event_count"], strict=True) if n
    }
    chain_txs: dict[str, int] = {}
    chain_kinds: Counter[str] = Counter()
    with ChainClient(url) as client:
        for h in range(1, height + 1):
            block = client.block(h)
            assert block["hash"] == blocks["hash"][h - 1], f"block {h}"
            chain_txs.update({r["hash"]: h for r in block["tx_results"]})
            chain_kinds.update(e["type"] for r in block["tx_results"] for e in r["events"])
            chain_kinds.update(e["type"] for e in block["events"])
        supply = client.query("supply")
        inferences = client.query("inferences", limit=1000)["inferences"]
    assert dict(zip(tx_rows["hash"], tx_rows["height"], strict=True)) == chain_txs
    assert set(sent) <= set(chain_txs) and (tx_rows.set_index("hash").loc[sent, "code"] == 0).all()
    kinds = ledger.sql("SELECT type, count(*) AS n FROM events GROUP BY type")
    assert dict(zip(kinds["type"], kinds["n"], strict=True)) == dict(chain_kinds)
    assert chain_kinds["epoch_stage"] > 0 and ledger.sql(
        "SELECT count(DISTINCT attributes->>'epoch_index') AS n FROM events WHERE type = 'epoch_stage'"
    )["n"][0] >= 2
    # coin flows: every mint and burn the chain counted in its supply, and every inference it holds
    moved = ledger.sql("SELECT kind, sum(amount)::BIGINT AS total FROM rewards GROUP BY kind")
    totals = dict(zip(moved["kind"], moved["total"], strict=True))
    assert (totals.get("mint", 0), totals.get("burn", 0)) == (supply["minted"], supply["burned"])
    assert len(ledger.sql("SELECT * FROM inferences")) == len(inferences)
