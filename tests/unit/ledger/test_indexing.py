"""Indexing a real multi-epoch chain run: the ledger's tables agree with the chain's own state."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from gonka_lab.ledger import Ledger, LedgerError, writer
from gonka_lab.ledger.extract import Extraction
from gonka_lab.ledger.schema import TABLES

from ..app.harness import ALICE, BOB, CAROL, Node


def index(db: Path, blocks: list[dict[str, Any]], batch_blocks: int = 1000) -> Ledger:
    ledger = Ledger(db)
    ledger.index_blocks(blocks, batch_blocks=batch_blocks)
    return ledger


def snapshot(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, for whole-ledger comparisons."""
    return {t.name: sorted(map(repr, ledger.sql(f"SELECT * FROM {t.name}").itertuples(index=False))) for t in TABLES}


def test_inferences_match_the_chain_record_by_record(db: Path, blocks: list[dict[str, Any]], chain: Node) -> None:
    ledger = index(db, blocks, batch_blocks=7)  # lifecycles cross transaction boundaries
    truth = {i["inference_id"]: i for i in chain.app.query("inferences", {})["inferences"]}
    rows = {r["inference_id"]: r for r in ledger.sql("SELECT * FROM inferences").to_dict(orient="records")}
    assert len(truth) == 5 and rows.keys() == truth.keys()
    for inference_id, chained in truth.items():
        row = rows[inference_id]
        assert (row["status"], row["executor"], row["requester"], row["model"]) == (
            chained["status"], chained["executed_by"], chained["requested_by"], chained["model"]
        )
        assert row["escrow"] == chained["escrow"] and row["per_token_price"] == chained["per_token_price"]
        if chained["status"] == "EXPIRED":
            assert row["expired_height"] > chained["expires_at_height"] and row["refund"] == chained["escrow"]
            continue
        assert (row["prompt_tokens"], row["completion_tokens"], row["cost"], row["epoch"]) == (
            chained["prompt_token_count"], chained["completion_token_count"], chained["actual_cost"], chained["epoch"]
        )
        assert row["finished_height"] == chained["completed_height"]
        # The chain also files a failing validation as its sender's invalidation vote (same validator
        # and height); one MsgValidation is one (validator, height).
        records = chain.app.query("validations", {"inference_id": inference_id})["validations"]
        sent = {(v["validator"], v["height"]) for v in records}
        listed = ledger.sql(f"SELECT validator, height FROM validations WHERE inference_id = '{inference_id}'")
        assert sorted(listed.itertuples(index=False, name=None)) == sorted(sent)
        assert row["validations"] == len(sent)
    invalid = next(r for r in rows.values() if r["status"] == "INVALIDATED")
    # the finish refund plus the claw-back of the cost: the requester got the whole escrow back
    assert invalid["refund"] == invalid["escrow"] and invalid["invalidated_height"] > invalid["finished_height"]
    validated = next(r for r in rows.values() if r["status"] == "VALIDATED")
    assert validated["validations"] == 2 and validated["refund"] == validated["escrow"] - validated["cost"]


def test_blocks_txs_and_events_match_the_stored_chain(db: Path, blocks: list[dict[str, Any]], chain: Node) -> None:
    ledger = index(db, blocks)
    results = [chain.blocks.load_results(h) for h in range(1, chain.height + 1)]
    tx_events = sum(len(tx.events) for r in results if r for tx in r.tx_results)
    block_events = sum(len(r.events) for r in results if r)
    counts = ledger.counts()
    assert ledger.height == chain.height == counts["blocks"]
    assert counts["txs"] == sum(len(r.tx_results) for r in results if r)
    assert counts["events"] == tx_events + block_events
    senders = ledger.sql("SELECT DISTINCT sender FROM txs WHERE sender IS NOT NULL")["sender"]
    assert set(senders) == {ALICE.address, BOB.address, CAROL.address}
    assert ledger.sql("SELECT count(*) AS n FROM events WHERE tx_index IS NULL")["n"][0] == block_events


def test_rewards_match_the_chain_settlement_and_supply(db: Path, blocks: list[dict[str, Any]], chain: Node) -> None:
    ledger = index(db, blocks, batch_blocks=3)
    summaries = [
        s for key in (ALICE, BOB, CAROL) for s in chain.app.query("settlement", {"address": key.address})["epochs"]
    ]
    settled = ledger.sql("SELECT epoch, address, work_coins, reward_coins FROM settlements")
    paid = {(s["epoch_index"], s["participant"]): (s["work_coins"], s["reward_coins"])
            for s in summaries if not s["forfeited"] and s["work_coins"] + s["reward_coins"]}
    assert {(r.epoch, r.address): (r.work_coins, r.reward_coins) for r in settled.itertuples()} == paid
    forfeits = ledger.sql("SELECT epoch, address FROM rewards WHERE kind = 'forfeit'")
    assert {(r.epoch, r.address) for r in forfeits.itertuples()} >= {
        (s["epoch_index"], s["participant"]) for s in summaries if s["forfeited"]
    }
    supply = chain.app.query("supply", {})
    moved = ledger.sql("SELECT kind, sum(amount) AS total FROM rewards GROUP BY kind").set_index("kind")["total"]
    assert (moved["mint"], moved["burn"]) == (supply["minted"], supply["burned"])
    claims = ledger.sql("SELECT epoch, address, amount, work_coins + reward_coins AS owed FROM rewards "
                        "WHERE kind = 'claim'")
    assert len(claims) == 4 and (claims["amount"] == claims["owed"]).all()
    served = ledger.views.tokens_served
    per_member = {(s["epoch_index"], s["participant"]): s["inference_count"] for s in summaries}
    for row in served.itertuples():
        assert per_member[(row.epoch, row.participant)] == row.inferences


def test_weights_poc_and_cheaters(db: Path, blocks: list[dict[str, Any]], chain: Node) -> None:
    ledger = index(db, blocks)
    weights = ledger.sql("SELECT epoch, address, weight, voting_power, accepted FROM participants_by_epoch")
    for epoch in (1, 2):
        members = {m["address"]: m for m in chain.app.query("epoch_group", {"epoch": epoch})["members"]}
        rows = weights[weights["epoch"] == epoch]
        accepted = {r.address: r for r in rows.itertuples() if r.voting_power > 0}
        assert accepted.keys() == members.keys()
    assert len(ledger.sql("SELECT * FROM poc_batches")) == 6
    assert len(ledger.sql("SELECT * FROM poc_validations")) == 15
    caught = ledger.views.cheaters_caught
    assert list(caught["participant"]) == [CAROL.address]
    assert list(caught["reasons"][0]) == ["poc fraud"] and caught["forfeited"][0] > 0


def test_views_answer_the_questions(db: Path, blocks: list[dict[str, Any]]) -> None:
    ledger = index(db, blocks)
    assert list(ledger.views) == ["tokens_served", "validation_rate", "rewards_vs_weight", "cheaters_caught"]
    rate = ledger.views["validation_rate"].set_index(["epoch", "participant"])
    assert rate.loc[(0, BOB.address), "validation_rate"] == 1.0
    assert rate.loc[(0, CAROL.address), "invalidated"] == 1
    assert rate.loc[(0, ALICE.address), "validation_rate"] == 0.0
    rewards = ledger.views.rewards_vs_weight.set_index(["epoch", "participant"])
    epoch1 = rewards.loc[1]
    assert epoch1["weight_share"].sum() == pytest.approx(1.0)
    # epoch 1's reward follows epoch 1's weights (ALICE 30, BOB 10); CAROL, caught in the next PoC, got nothing
    assert epoch1.loc[ALICE.address, "reward_coins"] > epoch1.loc[BOB.address, "reward_coins"] > 0
    assert pd.isna(epoch1.loc[CAROL.address, "reward_coins"]) and epoch1.loc[CAROL.address, "forfeited"] == 0
    assert set(ledger.views.describe()["view"]) == set(ledger.views)


def test_batching_does_not_change_the_result(tmp_path: Path, blocks: list[dict[str, Any]]) -> None:
    one_by_one = snapshot(index(tmp_path / "a.duckdb", blocks, batch_blocks=1))
    all_at_once = snapshot(index(tmp_path / "b.duckdb", blocks))
    assert one_by_one == all_at_once


def events_in(block: dict[str, Any]) -> int:
    return sum(len(result["events"]) for result in block["tx_results"]) + len(block["events"])


def test_a_transaction_commits_at_its_block_or_event_bound(
    tmp_path: Path, blocks: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction ends with the block that brings it to `batch_events` events or `batch_blocks`
    blocks, whichever comes first; the last one takes what is left."""
    batch_blocks, batch_events = 20, 30
    expected: list[tuple[int, int]] = [(0, 0)]
    for block in blocks:
        if expected[-1][0] >= batch_blocks or expected[-1][1] >= batch_events:
            expected.append((0, 0))
        expected[-1] = (expected[-1][0] + 1, expected[-1][1] + events_in(block))
    # the run's blocks are uneven enough for both bounds to end a transaction
    assert any(n == batch_blocks and e < batch_events for n, e in expected[:-1])
    assert any(n < batch_blocks for n, _ in expected[:-1])
    stored: list[tuple[int, int]] = []
    write = writer.write

    def recording(con: duckdb.DuckDBPyConnection, extraction: Extraction, after_height: int) -> None:
        stored.append((extraction.block_count, extraction.event_count))
        write(con, extraction, after_height)

    monkeypatch.setattr(writer, "write", recording)
    ledger = Ledger(tmp_path / "ledger.duckdb")
    assert ledger.index_blocks(blocks, batch_blocks=batch_blocks, batch_events=batch_events) == sum(
        e for _, e in expected
    )
    assert stored == expected
    assert snapshot(ledger) == snapshot(index(tmp_path / "one.duckdb", blocks, batch_blocks=len(blocks)))


def test_a_large_transaction_is_written_straight_into_the_file(
    tmp_path: Path, blocks: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """From _CHECKPOINT_AT_COMMIT_EVENTS events on, a COMMIT is a checkpoint (nothing goes through
    the WAL); a smaller transaction goes through the WAL. The database's setting is left as it was."""
    monkeypatch.setattr(writer, "_CHECKPOINT_AT_COMMIT_EVENTS", 50)
    db = tmp_path / "ledger.duckdb"
    wal = db.with_name(db.name + ".wal")
    Ledger(db)
    with duckdb.connect(str(db)) as con:
        threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()
        small, large = Extraction(0), Extraction(5, blocks[4]["hash"])
        small.add_all(blocks[:5])
        large.add_all(blocks[5:60])
        assert small.event_count < 50 <= large.event_count
        writer.write(con, small, 0)
        assert wal.exists() and wal.stat().st_size > 0
        writer.write(con, large, 5)
        assert not wal.exists()
        assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchall() == threshold
    assert snapshot(Ledger(db)) == snapshot(index(tmp_path / "direct.duckdb", blocks[:60]))


def test_a_failed_transaction_stores_nothing_and_resume_completes(
    tmp_path: Path, blocks: list[dict[str, Any]]
) -> None:
    ledger = index(tmp_path / "resumed.duckdb", blocks[:40])
    before = ledger.counts()
    broken = copy.deepcopy(blocks[40:80])
    # a PoC validation without its validator, well inside the run of blocks
    victim = next(e for b in broken[10:] for r in b["tx_results"] for e in r["events"] if e["type"] == "poc_validation")
    victim["attributes"] = [a for a in victim["attributes"] if a["key"] != "validator"]
    with pytest.raises(LedgerError, match="no field"):
        ledger.index_blocks(broken, batch_blocks=100)
    assert ledger.counts() == before and ledger.height == 40
    ledger.index_blocks(blocks[40:])
    assert snapshot(ledger) == snapshot(index(tmp_path / "straight.duckdb", blocks))


def test_blocks_must_continue_the_ledger(db: Path, blocks: list[dict[str, Any]]) -> None:
    ledger = index(db, blocks[:10])
    with pytest.raises(LedgerError, match="expected block 11, got 12"):
        ledger.index_blocks(blocks[11:20])
    with pytest.raises(LedgerError, match="expected block 11, got 5"):
        ledger.index_blocks(blocks[4:20])  # nothing is indexed twice
    forked = copy.deepcopy(blocks[10])
    forked["last_block_hash"] = "00" * 32
    with pytest.raises(LedgerError, match="does not follow the indexed block 10"):
        ledger.index_blocks([forked])
    assert ledger.height == 10


def test_sql_errors_are_one_line_and_sql_changes_nothing(db: Path, blocks: list[dict[str, Any]]) -> None:
    ledger = index(db, blocks[:5])
    with pytest.raises(LedgerError) as bad:
        ledger.sql("SELEC * FROM blocks")
    assert str(bad.value).startswith("SQL error: Parser Error") and "\n" not in str(bad.value)
    with pytest.raises(LedgerError, match="Table with name nope does not exist"):
        ledger.sql("SELECT * FROM nope")
    ledger.sql("DROP TABLE blocks")
    ledger.sql("DELETE FROM events")
    assert ledger.counts()["blocks"] == 5 and ledger.counts()["events"] > 0
    assert ledger.sql("CREATE TABLE t (x INTEGER)").empty


def test_a_read_only_ledger_must_exist(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no ledger at"):
        Ledger(tmp_path / "missing.duckdb", read_only=True)
    (tmp_path / "junk.duckdb").write_text("not a database")
    with pytest.raises(LedgerError, match="cannot open ledger"):
        Ledger(tmp_path / "junk.duckdb")


# inference_totals recomputed from the inference rows, written independently of totals.py
TOTALS_FROM_ROWS = """
    SELECT epoch, executor, count(*) AS inferences, sum(prompt_tokens) AS prompt_tokens,
           sum(completion_tokens) AS completion_tokens, sum(prompt_tokens + completion_tokens) AS tokens,
           sum(cost) AS cost, sum(executor_reputation) AS reputation_sum, count(executor_reputation) AS reputations,
           count(*) FILTER (WHERE validations > 0) AS validated,
           count(*) FILTER (WHERE status = 'INVALIDATED') AS invalidated
    FROM inferences WHERE finished_height IS NOT NULL GROUP BY epoch, executor ORDER BY epoch, executor
"""


def _totals(ledger: Ledger) -> list[tuple[Any, ...]]:
    return list(ledger.sql("SELECT * FROM inference_totals ORDER BY epoch, executor").itertuples(index=False))


@pytest.mark.parametrize("batch_blocks", [1, 7, 1000])
def test_inference_totals_follow_every_lifecycle_step(tmp_path: Path, blocks: list[dict[str, Any]],
                                                      batch_blocks: int) -> None:
    ledger = index(tmp_path / "ledger.duckdb", blocks, batch_blocks=batch_blocks)
    expected = list(ledger.sql(TOTALS_FROM_ROWS).itertuples(index=False))
    assert len(expected) >= 3 and _totals(ledger) == expected
    served = ledger.views.tokens_served
    assert served["inferences"].sum() == len(ledger.sql("SELECT * FROM inferences WHERE finished_height IS NOT NULL"))


def test_a_ledger_without_totals_gets_them_on_open(db: Path, blocks: list[dict[str, Any]]) -> None:
    ledger = index(db, blocks)
    expected = _totals(ledger)
    with duckdb.connect(str(db)) as con:  # a ledger file written before inference_totals existed
        con.execute("DROP TABLE inference_totals")
        con.execute("UPDATE ledger_meta SET value = '1' WHERE key = 'schema_version'")
    reopened = Ledger(db)
    assert _totals(reopened) == expected
    assert reopened.sql("SELECT value FROM ledger_meta WHERE key = 'schema_version'")["value"][0] == "2"


def test_without_the_pandas_scan_the_same_rows_go_in_through_values(
    tmp_path: Path, blocks: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's pandas scan can vanish (see writer.write): each transaction is then rolled back and
    stored again, and in the end through VALUES chunks: the same ledger."""
    straight = index(tmp_path / "straight.duckdb", blocks, batch_blocks=7)
    attempts = []

    def lost_scan(con: duckdb.DuckDBPyConnection, *args: object) -> None:
        attempts.append(args)
        con.execute("INSERT INTO ledger_meta VALUES ('half-written', '')")  # rolled back with the rest
        raise duckdb.CatalogException("Catalog Error: Table Function with name pandas_scan does not exist!")

    monkeypatch.setattr(writer, "_run", lost_scan)
    monkeypatch.setattr(writer, "_VALUES_CHUNK", 3)  # lifecycles cross chunks too
    fallback = index(tmp_path / "fallback.duckdb", blocks, batch_blocks=7)
    assert len(attempts) == 2 * -(-len(blocks) // 7)  # two tries per transaction before VALUES
    assert snapshot(fallback) == snapshot(straight) and _totals(fallback) == _totals(straight)
    assert fallback.sql("SELECT count(*) AS n FROM ledger_meta WHERE key = 'half-written'")["n"][0] == 0
