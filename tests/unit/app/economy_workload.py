"""A fixed economy workload over two PoC rounds, for the cross-process determinism test.

    python -m unit.app.economy_workload record DIR   decide the blocks (stored in DIR/recorded)
    python -m unit.app.economy_workload replay DIR   apply DIR/recorded's blocks to a fresh node

Both print {"app_hashes": [hex per height], "events": [event types seen]} as JSON.
Run with `tests` and the repository root on PYTHONPATH (as pytest imports these modules).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from node.chain.store.block_store import BlockStore
from node.chain.store.db import ChainDB
from node.proto.gonka.validation_pb2 import MsgValidation

from .economy_helpers import block, claim_msg, deposit_msg, host_node, run_poc, seed_msg, submit, withdraw_msg
from .harness import ALICE, BOB, CAROL, GNK, Node, decode_block
from .inference_helpers import PRICE, Request

OVERRIDES = {"epoch": {"epoch_length": 40}, "pricing": {"min_per_token_price": PRICE}}


def record(directory: Path) -> Node:
    node = host_node(directory, **OVERRIDES)
    block(node, {ALICE: [seed_msg(ALICE, 0)], BOB: [seed_msg(BOB, 0), deposit_msg(BOB, 10 * GNK)]})
    served = Request(executor=BOB, timestamp_ns=1)
    submit(node, ALICE, served.start())
    submit(node, BOB, served.finish())
    submit(node, CAROL, MsgValidation(creator=CAROL.address, inference_id=served.inference_id, value_ppm=995_000))
    submit(node, BOB, withdraw_msg(BOB, 3 * GNK))
    submit(node, ALICE, Request(executor=BOB, timestamp_ns=2).start())  # expires: BOB misses it
    run_poc(node, {ALICE: 30, BOB: 10, CAROL: 10})
    node.run_block()
    block(node, {key: [claim_msg(key, 0)] for key in (ALICE, BOB)})
    fraud = {voter: {ALICE: False, BOB: False, CAROL: True} for voter in (ALICE, BOB)}
    run_poc(node, {ALICE: 10, BOB: 12, CAROL: 10}, votes=fraud)
    node.run_block()
    block(node, {key: [claim_msg(key, 1)] for key in (ALICE, BOB)})
    return node


def replay(source: Path, directory: Path) -> Node:
    node = host_node(directory, **OVERRIDES)
    stored = BlockStore(ChainDB(source / "node.db"))
    height = 1
    while (raw := stored.load_block(height)) is not None:
        node.apply(decode_block(raw))
        height += 1
    return node


def summary(node: Node) -> dict[str, list[str]]:
    done = [node.blocks.load_results(height) for height in range(1, node.height + 1)]
    kinds = {e.type for r in done if r for e in r.events} | {
        e.type for r in done if r for tx in r.tx_results for e in tx.events
    }
    return {"app_hashes": [r.app_hash.hex() for r in done if r], "events": sorted(kinds)}


def main(mode: str, directory: str) -> None:
    where = Path(directory)
    (where / mode).mkdir(parents=True)
    node = record(where / "record") if mode == "record" else replay(where / "record", where / "replay")
    print(json.dumps(summary(node)))


if __name__ == "__main__":
    main(*sys.argv[1:])
