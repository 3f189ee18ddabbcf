"""Ledger indexing rate next to a bare DuckDB bulk insert, and view latency on 1,000,000 inferences.

    .venv/bin/python bench/ledger.py [--blocks 2000] [--per-block 10] [--rounds 5] [--inferences 1000000]
                                     [--batch-blocks N] [--batch-events N]

In one run it
1. builds synthetic blocks shaped as `ChainClient.stream_blocks` yields them: every block
   starts `--per-block` inferences, finishes the previous block's, validates the ones
   before, plus transfers and the epoch clock's block events;
2. indexes them with `Ledger.index_blocks` into a fresh file as a sync does while catching
   up (whole blocks per transaction, committed at the sync's default size: `--batch-blocks`
   blocks or `--batch-events` events; extraction, frames, upserts, cursor and the closing
   checkpoint included), then
3. bulk-inserts the very rows the indexer produced into a fresh file with the same tables:
   open, one DataFrame and one INSERT per table in one transaction, close (the baseline);
   steps 2 and 3 alternate for `--rounds` rounds; the figure is the median of the per-round
   ratios, by wall clock and by CPU time (this process, all threads: on a shared, busy
   machine wall clock also measures the neighbours);
4. indexes `--tip-blocks` blocks one transaction per block, as a sync following the tip does;
5. fills a ledger with `--inferences` synthetic inferences (plus their validations, weights,
   settlements, rewards and cheaters, and the per-epoch inference totals the indexer maintains)
   and times every ready-made view through `Ledger.sql`, opening the file included: median of
   7 runs after one cold run.
Targets: indexer / baseline >= 0.5; every view <= 200 ms.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from rich.console import Console

from gonka_lab.ledger import Ledger, schema, totals, views
from gonka_lab.ledger.extract import Extraction
from gonka_lab.ledger.ledger import DEFAULT_BATCH_BLOCKS, DEFAULT_BATCH_EVENTS

TARGET_RATIO = 0.5
TARGET_VIEW_MS = 200.0
HOSTS = [f"gonka1host{i:02d}" + "q" * 28 for i in range(20)]
DEV = "gonka1developer" + "q" * 24
console = Console(stderr=True)


def _event(kind: str, **attrs: object) -> dict[str, Any]:
    return {"type": kind, "attributes": [{"key": k, "value": str(v)} for k, v in attrs.items()]}


def _tx(height: int, index: int, events: list[dict[str, Any]], sender: str, action: str) -> tuple[str, dict[str, Any]]:
    tx_hash = f"{height:032X}{index:032X}"
    message = _event("message", action=action, module=action.split(".")[1], sender=sender)
    return tx_hash, {"hash": tx_hash, "code": 0, "log": "", "events": [message, *events]}


def _add_tx(txs: list[tuple[str, dict[str, Any]]], height: int, events: list[dict[str, Any]], sender: str,
            action: str) -> None:
    txs.append(_tx(height, len(txs), events, sender, action))


def synthetic_blocks(count: int, per_block: int) -> list[dict[str, Any]]:
    """`count` blocks; inference i starts in block b, finishes in b+1 and is validated in b+2."""
    blocks, previous = [], ""
    for height in range(1, count + 1):
        txs: list[tuple[str, dict[str, Any]]] = []
        add = functools.partial(_add_tx, txs, height)

        for k in range(per_block):
            started = f"inf-{height}-{k}"
            executor = HOSTS[(height + k) % len(HOSTS)]
            add([_event("transfer", sender=DEV, recipient="inference", amount=120_000),
                 _event("inference_started", inference_id=started, requested_by=DEV, transferred_by=HOSTS[0],
                        executor=executor, model="devnet-llama", per_token_price=1000, escrow=120_000,
                        expires_at_height=height + 20)], HOSTS[0], "/gonka.inference.MsgStartInference")
            if height > 1:
                finished = f"inf-{height - 1}-{k}"
                executor = HOSTS[(height - 1 + k) % len(HOSTS)]
                add([_event("transfer", sender="inference", recipient=DEV, amount=70_000),
                     _event("inference_finished", inference_id=finished, executor=executor, requested_by=DEV,
                            transferred_by=HOSTS[0], model="devnet-llama", epoch=height // 400, traffic_basis=50,
                            executor_power=10, executor_reputation=height % 100, total_power=200,
                            prompt_token_count=20, completion_token_count=30, per_token_price=1000,
                            actual_cost=50_000, refund=70_000, height=height)], executor,
                    "/gonka.inference.MsgFinishInference")
            if height > 2 and k % 2 == 0:  # every other inference is sampled for validation
                checked = f"inf-{height - 2}-{k}"
                executor, validator = HOSTS[(height - 2 + k) % len(HOSTS)], HOSTS[(height + k + 7) % len(HOSTS)]
                add([_event("inference_validation", inference_id=checked, validator=validator, executor=executor,
                            model="devnet-llama", value_ppm=995_000, threshold_ppm=990_000, passed=True,
                            revalidation=False, needs_revalidation=False, status="VALIDATED", height=height),
                     _event("inference_validated", inference_id=checked, executor=executor, status="VALIDATED",
                            validator=validator, height=height)], validator, "/gonka.validation.MsgValidation")
        add([_event("transfer", sender=DEV, recipient=HOSTS[height % len(HOSTS)], amount=5)], DEV,
            "/gonka.bank.MsgSend")
        block_hash = f"{height:064x}"
        blocks.append({
            "height": height, "hash": block_hash, "app_hash": f"{height:064X}", "time_ms": 1_700_000_000_000 + height,
            "proposer": HOSTS[height % 4], "txs": [h for h, _ in txs], "tx_results": [r for _, r in txs],
            "events": [_event("epoch_stage", stage="inference", epoch_index=height // 400, poc_start_height=0,
                              height=height)] if height % 40 == 0 else [],
            "evidence_count": 0, "validators_hash": "", "last_block_hash": previous,
        })
        previous = block_hash
    return blocks


class Clock:
    """Wall-clock and CPU seconds (this process, all threads) of one measured step."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def index_rate(path: Path, blocks: list[dict[str, Any]], batch_blocks: int,
               batch_events: int = DEFAULT_BATCH_EVENTS) -> tuple[Clock, int]:
    ledger = Ledger(path)
    with Clock() as clock:
        events = ledger.index_blocks(blocks, batch_blocks=batch_blocks, batch_events=batch_events)
    return clock, events


def prepared_rows(blocks: list[dict[str, Any]]) -> tuple[dict[str, list[tuple[Any, ...]]], int]:
    """The rows the indexer stores for `blocks` (per table), and the number of events."""
    extraction = Extraction(0)
    extraction.add_all(blocks)
    return dict(extraction.rows) | {"inferences": extraction.inference_rows()}, extraction.event_count


def bulk_rate(path: Path, rows: dict[str, list[tuple[Any, ...]]]) -> Clock:
    """The same rows, prepared in advance, in one DataFrame and one INSERT per table."""
    with duckdb.connect(str(path)) as con:
        schema.create(con)
    # like the indexer: open the file, store the rows in one transaction, close it (checkpoint included)
    with Clock() as clock:
        con = duckdb.connect(str(path))
        con.execute("BEGIN TRANSACTION")
        for table in schema.TABLES:
            frame = pd.DataFrame(rows[table.name], columns=list(table.column_names))
            con.register("bulk_rows", frame)
            con.execute(table.insert_sql("bulk_rows"))
            con.unregister("bulk_rows")
        con.execute("COMMIT")
        con.close()
    return clock


def fill_ledger(path: Path, inferences: int) -> Ledger:
    """A ledger of `inferences` synthetic inferences over 10 epochs and 50 hosts, with 30 % validated."""
    ledger = Ledger(path)
    con = duckdb.connect(str(path))
    con.execute(f"""
        INSERT INTO inferences
        SELECT 'inference-' || i, CASE WHEN i % 50 = 0 THEN 'INVALIDATED' WHEN i % 10 < 3 THEN 'VALIDATED'
                                       WHEN i % 97 = 0 THEN 'EXPIRED' ELSE 'FINISHED' END,
               'devnet-llama', 'gonka1dev' || i % 1000, 'gonka1ta' || i % 50, 'gonka1host' || i % 50,
               i * 10 // {inferences}, i // 10, i // 10 + 1, CASE WHEN i % 10 < 3 THEN i // 10 + 3 END,
               CASE WHEN i % 50 = 0 THEN i // 10 + 5 END, NULL, 20 + i % 200, 30 + i % 500, 1000, 500000,
               (50 + i % 700) * 1000, 0, 10 + i % 50, i % 100, 2000, CASE WHEN i % 10 < 3 THEN 1 ELSE 0 END
        FROM range({inferences}) t(i)
    """)
    con.execute("""
        INSERT INTO validations
        SELECT started_height + 2, 0, inference_id, 'gonka1host' || (hash(inference_id) % 50), executor, model,
               995000, 990000, status <> 'INVALIDATED', false, false, status
        FROM inferences WHERE validations > 0 OR status = 'INVALIDATED'
    """)
    con.execute("""
        INSERT INTO participants_by_epoch
        SELECT e, 'gonka1host' || h, 100 + h, 100 + h, least(100 + h, 130), true, '', e * 40 + 29
        FROM range(10) a(e), range(50) b(h)
    """)
    con.execute("INSERT INTO settlements SELECT e * 40 + 30, e, 'gonka1host' || h, 1000000 * h, 2000000000 * h "
                "FROM range(10) a(e), range(50) b(h)")
    con.execute("""
        INSERT INTO rewards
        SELECT e * 40 + 31, 0, 'claim', 'gonka1host' || h, e, 1000000 * h + 2000000000 * h, 1000000 * h,
               2000000000 * h, 0, NULL FROM range(10) a(e), range(50) b(h) WHERE h % 10 <> 0
        UNION ALL
        SELECT e * 40 + 30, NULL, 'forfeit', 'gonka1host' || h, e, 3000000, NULL, NULL, NULL, 'poc fraud'
        FROM range(10) a(e), range(50) b(h) WHERE h % 10 = 0
        UNION ALL
        SELECT e * 40 + 30, NULL, 'mint', 'settlement', NULL, 100000000000, NULL, NULL, NULL, NULL FROM range(10) a(e)
    """)
    con.execute("INSERT INTO cheaters SELECT e * 40 + 30, e, 'gonka1host' || h, 'poc fraud', 'cheater_marked' "
                "FROM range(10) a(e), range(50) b(h) WHERE h % 10 = 0")
    totals.rebuild(con)  # the indexer keeps the per-epoch totals as it writes; this fill went around it
    con.close()
    return ledger


def _median_ms(run: Any) -> tuple[float, float]:
    """(first run ms, median ms of the 7 runs after it)."""
    timings = []
    for _ in range(8):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return timings[0], statistics.median(timings[1:])


def view_latency(ledger: Ledger) -> dict[str, tuple[float, float, float, int]]:
    """{view: (cold ms, median ms through Ledger.sql — opening the file included —, median ms
    of the query alone on an open connection, rows)}."""
    found = {}
    for view in views.VIEWS:
        query = f"SELECT * FROM {view.name}"
        cold, median = _median_ms(lambda q=query: ledger.sql(q))
        found[view.name] = (cold, median, 0.0, len(ledger.sql(query)))
    with duckdb.connect(str(ledger.path)) as con:
        for view in views.VIEWS:
            cold, median, _, rows = found[view.name]
            _, alone = _median_ms(lambda name=view.name: con.execute(f"SELECT * FROM {name}").df())
            found[view.name] = (cold, median, alone, rows)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocks", type=int, default=2000)
    parser.add_argument("--per-block", type=int, default=10, help="inferences started per block")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tip-blocks", type=int, default=300)
    parser.add_argument("--inferences", type=int, default=1_000_000)
    parser.add_argument("--batch-blocks", type=int, default=DEFAULT_BATCH_BLOCKS,
                        help="catching up, a transaction commits at this many blocks (the sync's default) ...")
    parser.add_argument("--batch-events", type=int, default=DEFAULT_BATCH_EVENTS, help="... or this many events")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with console.status("building synthetic blocks"):
            blocks = synthetic_blocks(args.blocks, args.per_block)
        rows, events = prepared_rows(blocks)
        rounds: list[tuple[Clock, Clock]] = []
        for round_ in range(args.rounds):
            with console.status(f"round {round_ + 1}/{args.rounds}: indexing, then bulk inserting"):
                indexed, indexed_events = index_rate(folder / f"indexed-{round_}.duckdb", blocks,
                                                     args.batch_blocks, args.batch_events)
                assert indexed_events == events
                rounds.append((indexed, bulk_rate(folder / f"bulk-{round_}.duckdb", rows)))
        with console.status(f"indexing {args.tip_blocks} blocks one transaction per block"):
            tip, tip_events = index_rate(folder / "tip.duckdb", blocks[: args.tip_blocks], batch_blocks=1)
        with console.status(f"filling a ledger with {args.inferences:,} inferences"):
            filled = fill_ledger(folder / "filled.duckdb", args.inferences)
        with console.status("timing the views"):
            latency = view_latency(filled)

    print(f"{args.blocks:,} blocks, {events:,} events ({events / args.blocks:.0f} per block), {args.rounds} rounds")
    print(f"catching up, a transaction commits at {args.batch_blocks:,} blocks or {args.batch_events:,} events")
    print(f"{'events/s, median of rounds':<44}{'wall clock':>12}{'CPU time':>12}")
    for name, side in (("bare DuckDB bulk insert (baseline)", 1), ("indexer, catching up", 0)):
        wall = statistics.median(events / r[side].wall for r in rounds)
        cpu = statistics.median(events / r[side].cpu for r in rounds)
        print(f"{name:<44}{wall:>12,.0f}{cpu:>12,.0f}")
    # bulk seconds / indexer seconds = indexer rate / bulk rate, per round
    wall_ratios = [bulk.wall / indexed.wall for indexed, bulk in rounds]
    cpu_ratios = [bulk.cpu / indexed.cpu for indexed, bulk in rounds]
    for clock, ratios in (("wall clock", wall_ratios), ("CPU time", cpu_ratios)):
        ratio = statistics.median(ratios)
        print(f"indexer / bulk by {clock}: {', '.join(f'{r:.2f}' for r in ratios)}; median {ratio:.2f} "
              f"{'meets' if ratio >= TARGET_RATIO else 'MISSES'} the target >= {TARGET_RATIO}")
    tip_blocks = min(args.tip_blocks, args.blocks)
    print(f"indexer at the tip (1 block / tx): {tip_events / tip.wall:,.0f} events/s = "
          f"{tip_blocks / tip.wall:,.0f} blocks/s (wall clock)")
    print(f"\nviews on {args.inferences:,} inferences (ms; Ledger.sql opens the file for each query)")
    print(f"{'view':<22}{'cold':>8}{'Ledger.sql median':>19}{'query alone':>13}{'rows':>8}")
    for name, (cold, median, alone, rows) in latency.items():
        print(f"{name:<22}{cold:>8.1f}{median:>19.1f}{alone:>13.1f}{rows:>8}")
    worst = max(median for _, median, _, _ in latency.values())
    print(f"slowest view median {worst:.1f} ms {'meets' if worst <= TARGET_VIEW_MS else 'MISSES'} "
          f"the target <= {TARGET_VIEW_MS:.0f} ms")


if __name__ == "__main__":
    main()
