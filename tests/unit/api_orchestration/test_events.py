"""Block decoding, tx outcomes, durable files, and a block stream that breaks and resumes.

Events are built with the chain's own Event.of, so the attribute encoding (str() of ints and
bools) is exactly what a chain node sends. The stream test runs a real gRPC Chain service on
127.0.0.1 that drops its stream twice.
"""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from node.api import events
from node.api.chain_link import BroadcastResult, ChainLink
from node.api.events import (
    ChainBlock,
    EpochStage,
    HeightCursor,
    InferenceFinished,
    RevalidationRequest,
    TxOutcome,
    follow_blocks,
    read_json,
    tx_outcome,
    write_json_durably,
)
from node.chain.app.abci import Event
from node.chain.rpc import _events as chain_events  # the chain node's own event encoding
from node.core.errors import TxCode
from node.core.validation_policy import FinishedInference
from node.proto.gonka import chain_pb2 as pb
from node.proto.gonka import chain_pb2_grpc as pb_grpc


def _block(height: int, tx_events: list[tuple[int, list[Event]]], block_events: list[Event]) -> pb.BlockInfo:
    return pb.BlockInfo(
        height=height,
        hash=bytes([height]) * 32,
        time_ms=1000 * height,
        tx_results=[pb.TxResult(code=code, events=chain_events(evs)) for code, evs in tx_events],
        events=chain_events(block_events),
    )


FINISHED = Event.of(
    "inference_finished", inference_id="id-1", executor="gonka1exec", requested_by="gonka1dev",
    transferred_by="gonka1ta", model="m", epoch=4, traffic_basis=7, executor_power=10,
    executor_reputation=35, total_power=30, prompt_token_count=3, completion_token_count=5,
    per_token_price=1, actual_cost=8, refund=0, height=99,
)


def test_a_block_keeps_events_of_successful_txs_then_its_own() -> None:
    stage = Event.of("epoch_stage", stage="poc_start", epoch_index=2, poc_start_height=60, height=60)
    failed = Event.of("transfer", sender="a", recipient="b", amount=1)
    block = ChainBlock.from_proto(_block(60, [(0, [FINISHED]), (TxCode.CONFLICT, [failed])], [stage]))
    assert (block.height, block.hash, block.time_ms) == (60, "3c" * 32, 60_000)
    assert [event.type for event in block.events] == ["inference_finished", "epoch_stage"]
    assert block.of_type("epoch_stage")[0].attributes["stage"] == "poc_start"


def test_typed_views_parse_the_chain_attributes() -> None:
    claim = Event.of("epoch_stage", stage="claim_money", epoch_index=3, poc_start_height=60, height=81)
    stage = EpochStage.from_event(ChainBlock.from_proto(_block(81, [], [claim])).events[0])
    assert stage == EpochStage("claim_money", 3, 60, 81)

    finished = InferenceFinished.from_event(ChainBlock.from_proto(_block(99, [(0, [FINISHED])], [])).events[0])
    assert finished == InferenceFinished(FinishedInference("id-1", "gonka1exec", 10, 35, 30, 7), epoch=4, model="m")


@pytest.mark.parametrize("needs", [True, False])
def test_only_a_validation_that_opened_a_vote_asks_for_revalidation(needs: bool) -> None:
    event = Event.of(
        "inference_validation", inference_id="id-2", validator="gonka1val", executor="gonka1exec", model="m",
        value_ppm=500_000, threshold_ppm=990_000, passed=False, revalidation=False, needs_revalidation=needs,
        status="VOTING", height=5,
    )
    decoded = RevalidationRequest.from_event(ChainBlock.from_proto(_block(5, [(0, [event])], [])).events[0])
    assert decoded == (RevalidationRequest("id-2", "gonka1exec", "gonka1val", "m") if needs else None)


def _result(check: int = 0, committed: bool = False, code: int = 0) -> BroadcastResult:
    return BroadcastResult("H", check, "", committed, 7 if committed else 0, code, "", [])


@pytest.mark.parametrize(
    ("result", "waited", "expected"),
    [
        (_result(committed=True), True, TxOutcome.COMMITTED),
        # waiting re-broadcasts: a committed tx's check says "in mempool" or "replay"; execution counts
        (_result(TxCode.TX_IN_MEMPOOL, committed=True), True, TxOutcome.COMMITTED),
        (_result(TxCode.WRONG_SEQUENCE, committed=True, code=TxCode.INVALID_REQUEST), True, TxOutcome.REFUSED),
        (_result(committed=True, code=TxCode.CONFLICT), True, TxOutcome.DUPLICATE),
        (_result(TxCode.CONFLICT), False, TxOutcome.DUPLICATE),
        (_result(TxCode.UNAUTHORIZED), True, TxOutcome.REFUSED),
        (_result(TxCode.MEMPOOL_FULL), False, TxOutcome.UNKNOWN),
        (_result(TxCode.TX_IN_MEMPOOL), True, TxOutcome.UNKNOWN),  # still not in a block when the wait ended
        (_result(), True, TxOutcome.UNKNOWN),
        (_result(), False, TxOutcome.ACCEPTED),
    ],
)
def test_tx_outcomes(result: BroadcastResult, waited: bool, expected: TxOutcome) -> None:
    assert tx_outcome(result, waited) is expected


def test_durable_json_replaces_whole_owner_only_files(tmp_path: Path) -> None:
    path = tmp_path / "state" / "cursor.json"
    assert read_json(path, {"none": True}) == {"none": True}
    write_json_durably(path, {"a": 1})
    write_json_durably(path, {"b": 2})
    assert json.loads(path.read_text()) == {"b": 2}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["cursor.json"]  # no temporary left behind
    path.write_text("{not json")
    with pytest.raises(ValueError):
        read_json(path, {})  # never silently start over from a damaged file


def test_cursor_survives_a_new_instance(tmp_path: Path) -> None:
    assert HeightCursor(tmp_path / "h.json").load() == 0
    HeightCursor(tmp_path / "h.json").save(41)
    assert HeightCursor(tmp_path / "h.json").load() == 41


class FlakyChain(pb_grpc.ChainServicer):
    """Serves blocks 1..HEAD from any height; the first two streams break after two blocks."""

    HEAD = 9

    def __init__(self) -> None:
        self.requests: list[int] = []

    async def StreamBlocks(  # noqa: N802 - the gRPC method name
        self, request: pb.StreamBlocksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.BlockInfo]:
        self.requests.append(request.from_height)
        for height in range(request.from_height, self.HEAD + 1):
            if len(self.requests) <= 2 and height == request.from_height + 2:
                await context.abort(grpc.StatusCode.UNAVAILABLE, "node restarting")
            yield _block(height, [], [])
        await asyncio.Event().wait()  # a live stream: nothing more until the next block


def test_the_block_stream_resumes_after_the_last_block_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "RETRY_FIRST_S", 0.05)

    async def scenario() -> tuple[list[int], list[int]]:
        service = FlakyChain()
        server = grpc.aio.server()
        pb_grpc.add_ChainServicer_to_server(service, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        chain = ChainLink(f"127.0.0.1:{port}")
        seen: list[int] = []
        try:
            async for block in follow_blocks(chain, 3):
                seen.append(block.height)
                if block.height == FlakyChain.HEAD:
                    break
        finally:
            await chain.close()
            await server.stop(None)
        return seen, service.requests

    seen, requests = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert seen == list(range(3, FlakyChain.HEAD + 1))  # every block once, in order
    assert requests == [3, 5, 7]  # each new stream starts after the last block delivered
