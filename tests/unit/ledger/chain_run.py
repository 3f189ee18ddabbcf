"""A multi-epoch run through the real chain app (tests/unit/app's engine stand-in), and its
blocks as the chain node's public BlockInfo messages.

The run: inferences that are validated, invalidated by a vote, expired and finished before
they started, two PoC rounds with weights, settlement and claims, and a host caught
cheating in PoC (forfeit and cheater mark).
"""

from __future__ import annotations

from pathlib import Path

from node.chain.app.abci import Event
from node.core.hashing import tx_hash
from node.proto.gonka import chain_pb2 as pb
from node.proto.gonka import consensus_pb2 as cpb
from node.proto.gonka.validation_pb2 import MsgValidation

from ..app.economy_helpers import block, claim_msg, deposit_msg, host_node, run_poc, seed_msg, submit
from ..app.harness import ALICE, BOB, CAROL, CHAIN_ID, GNK, Node, decode_block
from ..app.inference_helpers import PRICE, Request

OVERRIDES = {"epoch": {"epoch_length": 40}, "pricing": {"min_per_token_price": PRICE}}
PASS, FAIL = 995_000, 500_000


def _validate(node: Node, validator: object, request: Request, value: int, revalidation: bool = False) -> None:
    message = MsgValidation(
        creator=validator.address,  # type: ignore[attr-defined]
        inference_id=request.inference_id,
        response_hash="cd" * 32,
        value_ppm=value,
        revalidation=revalidation,
    )
    result = submit(node, validator, message)  # type: ignore[arg-type]
    assert result.code == 0, result.log


def _serve(node: Node, request: Request, completion_tokens: int = 30, finish_first: bool = False) -> None:
    steps = [(request.executor, request.finish(completion_tokens=completion_tokens)), (request.ta, request.start())]
    for key, message in steps if finish_first else reversed(steps):
        result = submit(node, key, message)
        assert result.code == 0, result.log


def record(directory: Path) -> Node:
    """Hosts ALICE, BOB, CAROL (weight 10 each), about 140 blocks over three epochs."""
    node = host_node(directory, **OVERRIDES)
    block(node, {ALICE: [seed_msg(ALICE, 0)], BOB: [seed_msg(BOB, 0), deposit_msg(BOB, 10 * GNK)]})
    block(node, {CAROL: [seed_msg(CAROL, 0), deposit_msg(CAROL, 10 * GNK)]})
    validated = Request(executor=BOB, timestamp_ns=1)
    _serve(node, validated)
    _validate(node, CAROL, validated, PASS)
    _validate(node, ALICE, validated, PASS)
    invalid = Request(executor=CAROL, timestamp_ns=2)
    _serve(node, invalid, completion_tokens=12)
    _validate(node, ALICE, invalid, FAIL)  # opens a vote
    _validate(node, BOB, invalid, FAIL, revalidation=True)  # 20 of 30: invalidated
    _serve(node, Request(executor=ALICE, timestamp_ns=3), completion_tokens=7, finish_first=True)
    assert submit(node, ALICE, Request(executor=BOB, timestamp_ns=4).start()).code == 0  # BOB never finishes
    run_poc(node, {ALICE: 30, BOB: 10, CAROL: 10})
    node.run_block()
    block(node, {key: [claim_msg(key, 0)] for key in (ALICE, BOB)})
    _serve(node, Request(executor=ALICE, timestamp_ns=5), completion_tokens=40)
    fraud = {voter: {ALICE: False, BOB: False, CAROL: True} for voter in (ALICE, BOB)}
    run_poc(node, {ALICE: 10, BOB: 12, CAROL: 10}, votes=fraud)
    node.run_block()
    block(node, {key: [claim_msg(key, 1)] for key in (ALICE, BOB)})
    node.run_blocks_until(node.height + 25)  # into the third epoch: epoch 2's clock runs on
    return node


def _events(events: tuple[Event, ...]) -> list[pb.Event]:
    return [pb.Event(type=e.type, attributes=[pb.Attribute(key=k, value=v) for k, v in e.attributes]) for e in events]


def block_infos(node: Node) -> list[pb.BlockInfo]:
    """Every stored block as the chain node's StreamBlocks sends it, in a real consensus Block
    whose header links each block to the previous one's hash."""
    infos: list[pb.BlockInfo] = []
    previous = b""
    for height in range(1, node.height + 1):
        raw = node.blocks.load_block(height)
        results = node.blocks.load_results(height)
        assert raw is not None and results is not None
        decided = decode_block(raw)
        header = cpb.Header(
            chain_id=CHAIN_ID, height=height, time_ms=decided.time_ms, last_block_hash=previous,
            proposer_address=decided.proposer_address,
        )
        infos.append(
            pb.BlockInfo(
                height=height,
                hash=decided.hash,
                app_hash=results.app_hash,
                time_ms=decided.time_ms,
                proposer_address=decided.proposer_address,
                txs=list(decided.txs),
                tx_results=[
                    pb.TxResult(hash=tx_hash(tx), code=r.code, log=r.log, events=_events(r.events))
                    for tx, r in zip(decided.txs, results.tx_results, strict=True)
                ],
                events=_events(results.events),
                block=cpb.Block(header=header, txs=list(decided.txs)).SerializeToString(),
            )
        )
        previous = decided.hash
    return infos
