"""`gonka ledger sql|views|sync` on a ledger file: output formats and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from gonka_lab.cli import main
from node.devnet.ports import free_ports
from node.proto.gonka import chain_pb2 as pb

from .recorded_chain import RecordedChain
from .test_indexing import index


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_sql_prints_a_table_json_or_csv(db: Path, blocks: list[dict[str, Any]]) -> None:
    index(db, blocks)
    query = "SELECT status, count(*) AS n FROM inferences GROUP BY status ORDER BY status"
    as_json = run("ledger", "sql", query, "--db", str(db), "--json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == [
        {"status": "EXPIRED", "n": 1}, {"status": "FINISHED", "n": 2}, {"status": "INVALIDATED", "n": 1},
        {"status": "VALIDATED", "n": 1},
    ]
    as_csv = run("ledger", "sql", query, "--db", str(db), "--csv")
    assert as_csv.stdout.splitlines() == ["status,n", "EXPIRED,1", "FINISHED,2", "INVALIDATED,1", "VALIDATED,1"]
    human = run("ledger", "sql", "SELECT * FROM tokens_served", "--db", str(db))
    assert human.exit_code == 0 and "participant" in human.stdout and "tokens" in human.stdout


def test_bad_sql_and_bad_files_are_one_line_errors(db: Path, tmp_path: Path, blocks: list[dict[str, Any]]) -> None:
    index(db, blocks[:3])
    bad = run("ledger", "sql", "SELECT * FROM nowhere", "--db", str(db))
    assert bad.exit_code == 1 and bad.stdout == ""
    assert bad.stderr.startswith("Error: SQL error: Catalog Error: Table with name nowhere does not exist")
    assert len(bad.stderr.strip().splitlines()) == 1
    as_json = run("ledger", "sql", "SELEC 1", "--db", str(db), "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["error"].startswith("SQL error: Parser Error")
    missing = run("ledger", "sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert missing.exit_code == 1 and "no ledger at" in missing.stderr
    both = run("ledger", "sql", "SELECT 1", "--db", str(db), "--json", "--csv")
    assert both.exit_code == 1 and "one of --json and --csv" in both.stderr


def test_views_are_listed(db: Path, blocks: list[dict[str, Any]]) -> None:
    index(db, blocks[:3])
    listed = run("ledger", "views", "--db", str(db), "--json")
    assert [v["view"] for v in json.loads(listed.stdout)] == [
        "tokens_served", "validation_rate", "rewards_vs_weight", "cheaters_caught"
    ]


def test_sync_reports_what_it_indexed(db: Path, infos: list[pb.BlockInfo]) -> None:
    with RecordedChain(infos, published=50) as chain:
        synced = run("ledger", "sync", "--node", chain.url, "--db", str(db), "--json")
    assert synced.exit_code == 0, synced.output
    result = json.loads(synced.stdout)
    assert (result["height"], result["blocks"]) == (50, 50) and result["events"] > 0
    (port,) = free_ports(1)
    down = run("ledger", "sync", "--node", f"127.0.0.1:{port}", "--db", str(db))
    assert down.exit_code == 1 and "unreachable" in down.stderr and len(down.stderr.strip().splitlines()) == 1
