"""The api node's tx sender keeps its account's txs in sequence, recovers from a stale
sequence and never reports a tx committed that is not; re-sending with wait reports the block.
Its inference txs (Start/Finish) outlast an outage of the chain node they are sent to."""

from __future__ import annotations

import asyncio
import time

from node.api.chain_link import BroadcastResult, ChainLink
from node.api.inference_txs import InferenceTxs
from node.api.metrics import ApiMetrics
from node.api.tx_sender import TxSender
from node.core.keys import AccountKey
from node.core.tx import register_message
from node.devnet.network import Devnet
from node.proto.gonka.bank_pb2 import MsgSend

register_message(MsgSend)  # the api node registers the messages it sends itself


async def _exercise(url: str, key: AccountKey, chain_id: str) -> None:
    chain = ChainLink(url)
    try:
        sender = TxSender(chain, key, chain_id)
        sink = AccountKey.generate().address
        results = await asyncio.gather(
            *(sender.send([MsgSend(from_address=key.address, to_address=sink, amount=1)], wait=True) for _ in range(12))
        )
        assert all(r.committed and r.code == 0 for r in results), [r.check_log for r in results]
        assert (await chain.query("balance", address=sink))["amount"] == 12

        sender._next_sequence = 10_000  # as if a restart had left a stale counter behind
        late = await sender.send([MsgSend(from_address=key.address, to_address=sink, amount=5)], wait=True)
        assert late.committed and late.code == 0
        assert (await chain.query("balance", address=sink))["amount"] == 17
    finally:
        await chain.close()


def test_tx_sender_orders_recovers_and_waits(devnet: Devnet) -> None:
    participant = devnet.manifest.participants[1]
    key = AccountKey.from_private_hex(participant.private_key)
    with devnet.client() as client:
        chain_id = client.status()["chain_id"]
    asyncio.run(_exercise(devnet.manifest.nodes[1].url, key, chain_id))


def test_resending_a_committed_tx_is_refused_but_reports_its_block(devnet: Devnet) -> None:
    key = AccountKey.from_private_hex(devnet.manifest.participants[2].private_key)
    with devnet.client() as client:
        raw = client.build_send(key, AccountKey.generate().address, 3)
        first = client.broadcast_tx(raw, wait=True)
        again = client.broadcast_tx(raw, wait=True)
    assert first["committed"] and first["check_code"] == 0
    assert again["check_code"] != 0 and "already committed" in again["check_log"]
    assert again["committed"] and (again["height"], again["code"]) == (first["height"], 0)


async def _send_through_outage(
    devnet: Devnet, name: str, key: AccountKey, chain_id: str, sink: str
) -> BroadcastResult | None:
    """Queue a tx to chain node `name` while it is down, start it again; what the tx's `done` got."""
    chain = ChainLink(devnet.node(name).url)
    metrics = ApiMetrics()
    txs = InferenceTxs(TxSender(chain, key, chain_id), metrics)
    outcome: list[BroadcastResult | None] = []
    try:
        await asyncio.to_thread(devnet.stop, name)
        txs.submit(MsgSend(from_address=key.address, to_address=sink, amount=7), done=outcome.append)
        deadline = time.monotonic() + 30
        resends = {"message": "MsgSend"}
        while (metrics.registry.get_sample_value("gonka_api_tx_resends_total", resends) or 0) < 2:
            assert time.monotonic() < deadline, "the tx was not tried while the chain node was down"
            await asyncio.sleep(0.1)
        await asyncio.to_thread(devnet.start, name)
        await txs.drain(90)
        return outcome[0] if outcome else None
    finally:
        if not devnet.is_running(devnet.node(name)):
            await asyncio.to_thread(devnet.start, name)
        await chain.close()


def test_inference_txs_are_sent_again_until_the_chain_node_is_back(devnet: Devnet) -> None:
    entry = devnet.manifest.participants[3]  # one validator of four: the chain goes on without it
    key = AccountKey.from_private_hex(entry.private_key)
    with devnet.client() as client:
        chain_id = client.status()["chain_id"]
    sink = AccountKey.generate().address
    result = asyncio.run(_send_through_outage(devnet, devnet.manifest.nodes[3].name, key, chain_id, sink))
    assert result is not None and result.committed and result.code == 0, result
    with devnet.client() as client:
        assert client.balance(sink) == 7
