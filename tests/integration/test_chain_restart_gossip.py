"""A validator killed between signing a message and sending it re-gossips it after its restart.

The proposer of a 2-validator chain proposes and prevotes while its only peer is unreachable, so
both messages sit in its WAL (fsynced before sending) and nowhere else. After a restart it must
send both to the peer: the peer cannot reach a decision without them, and the restarted node
refuses to sign them again (they are below its double-sign watermark). Before the fix, replayed
own messages were not re-gossiped and the proposal was lost for good — a 4-validator network under
random SIGKILLs stalled at a height that way.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc

from node.chain.config import ChainNodeConfig
from node.chain.node import ChainNode
from node.devnet.network import Devnet
from node.proto.gonka import consensus_pb2 as pb
from node.proto.gonka import consensus_pb2_grpc as pb_grpc

DEADLINE_S = 20.0
POLL_S = 0.05


class _Ear(pb_grpc.P2PServicer):
    """The peer's p2p endpoint, reduced to listening: it records every envelope it is sent."""

    def __init__(self) -> None:
        self.received: list[pb.Envelope] = []

    async def Gossip(self, request_iterator, context):  # type: ignore[no-untyped-def]
        async for envelope in request_iterator:
            self.received.append(envelope)
        return pb.Ack()

    async def Status(self, request, context):  # type: ignore[no-untyped-def]
        return pb.StatusResponse()  # height 0: nothing to sync from here


def _signed(envelope: pb.Envelope) -> tuple[str, int, int]:
    if envelope.WhichOneof("payload") == "proposal":
        return ("proposal", envelope.proposal.proposal.height, envelope.proposal.proposal.round)
    return (f"vote{envelope.vote.type}", envelope.vote.height, envelope.vote.round)


async def _wait_until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(POLL_S)  # polling in-process state, with a deadline


async def _scenario(folder: Path) -> None:
    net = Devnet.create(folder, participants=2, only="chain")
    configs = [ChainNodeConfig.load(folder / node.config) for node in net.manifest.nodes]
    first = ChainNode(configs[0])
    proposer_index = 0 if first.engine.sm.proposer(0) == first.engine.address else 1
    first.db.close()
    proposer_config, peer_config = configs[proposer_index], configs[1 - proposer_index]

    node = ChainNode(proposer_config)
    await node.start()
    await _wait_until(lambda: node.engine.signer.last is not None and node.engine.signer.last.step >= 2,
                      "the proposal and the prevote")
    signed_before = {_signed(envelope) for envelope in node.engine.own_envelopes}
    assert ("proposal", 1, 0) in signed_before
    await node.stop()  # the peer never got them: it was not listening

    ear = _Ear()
    server = grpc.aio.server()
    pb_grpc.add_P2PServicer_to_server(ear, server)
    assert server.add_insecure_port(peer_config.p2p_listen) != 0
    await server.start()
    restarted = ChainNode(proposer_config)
    try:
        await restarted.start()
        await _wait_until(lambda: signed_before <= {_signed(e) for e in ear.received},
                          f"re-gossip of {sorted(signed_before)}")
    finally:
        await restarted.stop()
        await server.stop(grace=0)


def test_messages_signed_before_a_crash_are_regossiped(tmp_path: Path) -> None:
    asyncio.run(_scenario(tmp_path / "net"))
