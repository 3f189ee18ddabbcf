"""The api node's outbox: a Start or Finish is on disk from before it is first sent until its fate
is settled, and a node started again over the same folder sends what a killed one still owed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from google.protobuf.message import Message

from node.api.chain_link import BroadcastResult
from node.api.inference_txs import InferenceTxs
from node.api.metrics import ApiMetrics
from node.api.outbox import Outbox
from node.core.errors import TxCode
from node.proto.gonka.inference_pb2 import MsgFinishInference, MsgStartInference


def _start(inference_id: str) -> MsgStartInference:
    return MsgStartInference(creator="gonka1ta", inference_id=inference_id, model="m", max_tokens=8)


def _finish(inference_id: str) -> MsgFinishInference:
    return MsgFinishInference(creator="gonka1ex", inference_id=inference_id, completion_token_count=3)


def _result(committed: bool, check_code: int = 0, code: int = 0) -> BroadcastResult:
    return BroadcastResult("ab" * 32, check_code, "", committed, 7 if committed else 0, code, "", [])


class Chain:
    """A TxSender's `send` that answers each message by its inference id; None: never (the node is
    killed before that tx's fate is known), and `hung` is set once such a send has begun."""

    def __init__(self, answers: dict[str, BroadcastResult | None]) -> None:
        self.answers = answers
        self.sent: list[Message] = []
        self.hung = asyncio.Event()

    async def send(self, messages: Sequence[Message], wait: bool = False, memo: str = "") -> BroadcastResult:
        self.sent.extend(messages)
        answer = self.answers[getattr(messages[0], "inference_id")]
        if answer is None:
            self.hung.set()
            await asyncio.get_running_loop().create_future()
        assert answer is not None
        return answer


def test_the_outbox_keeps_messages_in_order_across_a_reopen(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    keys = [box.put(_start("a")), box.put(_finish("b")), box.put(_start("c"))]
    box.remove(keys[1])
    assert Outbox(tmp_path).pending() == [(keys[0], _start("a")), (keys[2], _start("c"))]


def test_settled_txs_leave_the_outbox_and_unsettled_ones_are_sent_again_after_a_restart(tmp_path: Path) -> None:
    refused = _result(False, check_code=int(TxCode.INVALID_REQUEST))  # e.g. expired meanwhile: dropped
    duplicate = _result(True, code=int(TxCode.CONFLICT))  # an earlier copy landed
    first_run = Chain({"landed": _result(True), "refused": refused, "duplicate": duplicate, "owed": None})

    async def killed_while_sending() -> None:
        txs = InferenceTxs(first_run, ApiMetrics(), Outbox(tmp_path))  # type: ignore[arg-type]
        settled: list[BroadcastResult | None] = []
        all_settled = asyncio.Event()

        def done(result: BroadcastResult | None) -> None:  # called once the outbox is up to date
            settled.append(result)
            if len(settled) == 3:
                all_settled.set()

        for inference_id in ("landed", "refused", "duplicate"):
            txs.submit(_start(inference_id), done)

        async def finish() -> Message:  # built after the stream, as the executor's Finish is
            return _finish("owed")

        txs.submit(finish())
        await asyncio.wait_for(asyncio.gather(all_settled.wait(), first_run.hung.wait()), 5)
        # the process dies here: "owed" never learns its fate

    asyncio.run(killed_while_sending())
    assert [message for _, message in Outbox(tmp_path).pending()] == [_finish("owed")]

    second_run = Chain({"owed": _result(True)})

    async def started_again() -> int:
        txs = InferenceTxs(second_run, ApiMetrics(), Outbox(tmp_path))  # type: ignore[arg-type]
        resumed = txs.resume()
        await txs.drain(5)
        return resumed

    assert asyncio.run(started_again()) == 1
    assert second_run.sent == [_finish("owed")]
    assert Outbox(tmp_path).pending() == []

