"""The api node's tx sender against a chain node's real mempool: txs that the mempool drops
after a block are signed again at once, and a stale sequence is taken from the chain node's
answer instead of colliding with the account's txs still waiting.

The chain side is the real app, mempool, block store and gRPC service (node/chain/rpc.py) on
127.0.0.1; only consensus is left out: the test decides each block, as the engine stand-in of
tests/unit/app/harness.py does. That lets a block carry a tx this node's mempool never had,
which is how another validator's proposal changes the state under a waiting tx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TypeVar

import grpc
import pytest

from node.api.chain_link import BroadcastResult, ChainLink
from node.api.tx_sender import POLL_S, WAIT_S, TxSender, expected_sequence
from node.chain.app.abci import CheckResult
from node.chain.consensus.engine import MAX_BLOCK_BYTES, MAX_BLOCK_TXS
from node.chain.mempool import Mempool
from node.chain.rpc import ChainService
from node.chain.store.block_store import IndexedTx
from node.chain.tx_waiters import TxWaiters
from node.core.errors import TxCode
from node.core.hashing import tx_hash
from node.core.keys import AccountKey
from node.core.tx import register_message
from node.proto.gonka import chain_pb2_grpc as pb_grpc
from node.proto.gonka.bank_pb2 import MsgSend
from node.proto.gonka.participants_pb2 import MsgRegisterDeveloper
from tests.unit.app.harness import ALICE, BOB, CHAIN_ID, Node, make_genesis

register_message(MsgSend)
register_message(MsgRegisterDeveloper)

T = TypeVar("T")
# A dropped tx must be noticed well inside one wait (WAIT_S), at the sender's next poll.
NOTICED_WITHIN_S = 5 * POLL_S
assert NOTICED_WITHIN_S < WAIT_S


class OneNodeChain:
    """What ChainService asks of a chain node, with blocks decided by the test."""

    def __init__(self, path: Path, drop_notices: bool = True) -> None:
        self.node = Node(path, make_genesis())
        self.app = self.node.app
        self.blocks = self.node.blocks
        self.mempool = Mempool(self.app)
        self.tx_waiters = TxWaiters()  # as the chain node's: a dropped tx's waiter learns it at once
        if drop_notices:  # without: a notice that never came (a restarted chain node forgot its waiters)
            self.mempool.on_drop.append(self.tx_waiters.dropped)
        self.auto_blocks = False  # when set, every admitted tx is put in a block right away
        self.admitted: list[str] = []  # hashes of every tx the mempool took, re-admissions included
        self.submissions = 0  # broadcasts that reached the mempool's check, answered or not
        self._conditions: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    def submit_tx(self, raw: bytes) -> tuple[str, CheckResult]:
        hash_, result = self.mempool.add(raw)
        self.submissions += 1
        if result.code == 0:
            self.admitted.append(hash_)
            if self.auto_blocks:
                asyncio.get_running_loop().call_soon(self._propose)
        for condition, future in self._conditions:
            if not future.done() and condition():
                future.set_result(None)
        return hash_, result

    async def wait_for_tx(self, hash_: str, timeout_s: float) -> IndexedTx | None:
        return await self.tx_waiters.wait(hash_, timeout_s, self.blocks.find_tx)

    async def until(self, condition: Callable[[], bool]) -> None:
        """Until `condition` holds after a broadcast (or already does)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._conditions.append((condition, future))
        if condition():
            future.set_result(None)
        await future

    async def pooled(self, count: int) -> None:
        await self.until(lambda: len(self.mempool) >= count)

    def commit(self, txs: Iterable[bytes]) -> None:
        """A decided block: executed, stored, its txs out of the mempool and the rest checked again."""
        block = list(txs)
        self.node.run_block(block)
        self.mempool.update(tx_hash(raw) for raw in block)
        self.tx_waiters.committed(tx_hash(raw) for raw in block)

    def _propose(self) -> None:
        txs = self.app.prepare_proposal(self.mempool.reap(MAX_BLOCK_BYTES, MAX_BLOCK_TXS), MAX_BLOCK_BYTES)
        if txs:
            self.commit(txs)


def _run(scenario: Callable[[OneNodeChain, TxSender], Awaitable[T]], path: Path, drop_notices: bool = True) -> T:
    async def main() -> T:
        chain = OneNodeChain(path, drop_notices)
        server = grpc.aio.server()
        pb_grpc.add_ChainServicer_to_server(ChainService(chain), server)  # type: ignore[arg-type]
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        link = ChainLink(f"127.0.0.1:{port}")
        try:
            return await scenario(chain, TxSender(link, ALICE, CHAIN_ID))
        finally:
            await link.close()
            await server.stop(None)

    return asyncio.run(asyncio.wait_for(main(), 60))


def _send(amount: int, to: str) -> MsgSend:
    return MsgSend(from_address=ALICE.address, to_address=to, amount=amount)


@pytest.mark.parametrize("drop_notices", [True, False], ids=["told by the chain node", "found by re-sending"])
def test_txs_the_mempool_dropped_after_a_block_are_noticed_and_signed_again(tmp_path: Path, drop_notices: bool) -> None:
    developer, sink = AccountKey.generate(), AccountKey.generate().address
    register = MsgRegisterDeveloper(creator=ALICE.address, public_key=developer.public_key)

    async def scenario(chain: OneNodeChain, sender: TxSender) -> tuple[BroadcastResult, BroadcastResult, int]:
        first = asyncio.create_task(sender.send([register], wait=True))
        await chain.pooled(1)
        second = asyncio.create_task(sender.send([_send(1, sink)], wait=True))  # queued behind it, like a Start
        await chain.pooled(2)
        # Another host registered the same developer: its tx lands from another validator's mempool.
        chain.commit([chain.node.sign(BOB, MsgRegisterDeveloper(creator=BOB.address, public_key=developer.public_key))])
        # The recheck drops ours (now a conflict) and the send after it (its sequence no longer follows).
        assert len(chain.mempool) == 0
        chain.auto_blocks = True
        sent = await asyncio.wait_for(second, NOTICED_WITHIN_S)
        refused = await asyncio.wait_for(first, NOTICED_WITHIN_S)
        return sent, refused, chain.node.app.query("balance", {"address": sink})["amount"]

    sent, refused, balance = _run(scenario, tmp_path / "chain.db", drop_notices)
    assert sent.committed and sent.code == 0 and balance == 1
    assert not refused.committed and refused.check_code == TxCode.CONFLICT, refused


def test_a_stale_sequence_is_taken_from_the_answer_while_txs_wait(tmp_path: Path) -> None:
    sink = AccountKey.generate().address

    async def scenario(chain: OneNodeChain, sender: TxSender) -> BroadcastResult:
        for amount in (1, 2, 3):
            assert (await sender.send([_send(amount, sink)])).check_code == 0
        # A tx of the same account signed elsewhere (the devnet's collateral deposit is) joins them:
        # the sender's count is one behind, and the committed sequence is four behind.
        outside = chain.node.sign(ALICE, _send(4, sink), sequence=3)
        assert chain.submit_tx(outside)[1].code == 0
        return await sender.send([_send(5, sink)])

    result = _run(scenario, tmp_path / "chain.db")
    assert result.check_code == 0, result.check_log


def test_a_tx_still_waiting_in_the_mempool_is_not_signed_twice(tmp_path: Path) -> None:
    sink = AccountKey.generate().address

    async def scenario(chain: OneNodeChain, sender: TxSender) -> tuple[BroadcastResult, list[str]]:
        waiting = asyncio.create_task(sender.send([_send(1, sink)], wait=True))
        # no block for two polls after the admission: each re-send finds it in the mempool
        await asyncio.wait_for(chain.until(lambda: chain.submissions >= 4), 2 * NOTICED_WITHIN_S)
        chain.commit(chain.mempool.reap(MAX_BLOCK_BYTES, MAX_BLOCK_TXS))
        return await asyncio.wait_for(waiting, NOTICED_WITHIN_S), chain.admitted

    result, admitted = _run(scenario, tmp_path / "chain.db")
    assert result.committed and result.code == 0
    assert len(set(admitted)) == 1  # one signed tx, re-sent as is


def test_the_expected_sequence_is_read_from_a_refusal() -> None:
    assert expected_sequence("account sequence mismatch: expected 7, got 9") == 7
    assert expected_sequence("account sequence mismatch, expected 12, got 4: incorrect account sequence") == 12
    assert expected_sequence("replay: tx already committed at height 3") is None


def test_a_waiter_learns_at_once_that_the_mempool_dropped_its_tx(tmp_path: Path) -> None:
    developer = AccountKey.generate()

    async def scenario(chain: OneNodeChain, sender: TxSender) -> BroadcastResult:
        ours = chain.node.sign(ALICE, MsgRegisterDeveloper(creator=ALICE.address, public_key=developer.public_key))
        # one long wait, no re-sends: only the chain node's own notice can end it before its timeout
        waiting = asyncio.create_task(sender.chain.broadcast(ours, wait=True, timeout_s=10 * WAIT_S))
        await chain.pooled(1)
        chain.commit([chain.node.sign(BOB, MsgRegisterDeveloper(creator=BOB.address, public_key=developer.public_key))])
        return await asyncio.wait_for(waiting, NOTICED_WITHIN_S)

    result = _run(scenario, tmp_path / "chain.db")
    assert not result.committed and result.check_code == TxCode.CONFLICT, result
    assert result.check_log.startswith("left the mempool without a block"), result.check_log
