"""Re-gossip that liveness depends on, on a real chain node in this process.

1. A validator killed between signing a message and sending it re-gossips it after its restart.

The proposer of a 2-validator chain proposes and prevotes while its only peer is unreachable, so
both messages sit in its WAL (fsynced before sending) and nowhere else. After a restart it must
send both to the peer: the peer cannot reach a decision without them, and the restarted node
refuses to sign them again (they are below its double-sign watermark). Before the fix, replayed
own messages were not re-gossiped and the proposal was lost for good — a 4-validator network under
random SIGKILLs stalled at a height that way.

2. A validator relays the other validators' prevotes behind its valid value. When their signer is
gone for good, a peer that missed them could otherwise never accept a re-proposal of that value:
three of four validators stalled for good at one height (one of them locked on a block whose
proposer had been stopped) before the fix.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc

from node.chain.config import ChainNodeConfig
from node.chain.consensus.signing import vote_sign_bytes
from node.chain.consensus.votes import VoteType
from node.core.consensus_keys import consensus_address
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


def _first_proposer(configs: list[ChainNodeConfig]) -> int:
    """The index of the proposer of height 1, round 0."""
    probe = ChainNode(configs[0])
    proposer = probe.engine.sm.proposer(0)
    probe.db.close()
    return next(i for i, config in enumerate(configs) if consensus_address(config.consensus_key().public_key) == proposer)


async def _listen(address: str) -> tuple[_Ear, grpc.aio.Server]:
    ear = _Ear()
    server = grpc.aio.server()
    pb_grpc.add_P2PServicer_to_server(ear, server)
    assert server.add_insecure_port(address) != 0
    await server.start()
    return ear, server


async def _scenario(folder: Path) -> None:
    net = Devnet.create(folder, participants=2, only="chain")
    configs = [ChainNodeConfig.load(folder / node.config) for node in net.manifest.nodes]
    proposer_index = _first_proposer(configs)
    proposer_config, peer_config = configs[proposer_index], configs[1 - proposer_index]

    node = ChainNode(proposer_config)
    await node.start()
    await _wait_until(lambda: node.engine.signer.last is not None and node.engine.signer.last.step >= 2,
                      "the proposal and the prevote")
    signed_before = {_signed(envelope) for envelope in node.engine.own_envelopes}
    assert ("proposal", 1, 0) in signed_before
    await node.stop()  # the peer never got them: it was not listening

    ear, server = await _listen(peer_config.p2p_listen)
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


def _prevote(config: ChainNodeConfig, chain_id: str, block_hash: bytes) -> pb.Vote:
    key = config.consensus_key()
    vote = pb.Vote(type=int(VoteType.PREVOTE), height=1, round=0, block_hash=block_hash,
                   validator_address=consensus_address(key.public_key))
    vote.signature = key.sign(vote_sign_bytes(chain_id, vote))
    return vote


async def _polka_scenario(folder: Path) -> None:
    net = Devnet.create(folder, participants=4, only="chain")
    configs = [ChainNodeConfig.load(folder / node.config) for node in net.manifest.nodes]
    index = _first_proposer(configs)
    node_config, others = configs[index], [c for i, c in enumerate(configs) if i != index]
    ear, server = await _listen(others[0].p2p_listen)  # the one peer that listens
    node = ChainNode(node_config)
    try:
        await node.start()
        await _wait_until(lambda: any(e.WhichOneof("payload") == "proposal" for e in ear.received), "the proposal")
        block_hash = next(e for e in ear.received if e.WhichOneof("payload") == "proposal").proposal.proposal.block_hash
        # two more prevotes for its block: with its own, 3 of 4 — it now holds that value as valid
        relayed = _prevote(others[1], node_config.chain_id, block_hash)
        async with grpc.aio.insecure_channel(node_config.p2p_listen) as channel:
            await pb_grpc.P2PStub(channel).Gossip(iter([
                pb.Envelope(vote=_prevote(others[0], node_config.chain_id, block_hash)), pb.Envelope(vote=relayed),
            ]))
        await _wait_until(lambda: node.engine.sm.valid is not None, "a valid value")
        # the listening peer never got others[1]'s prevote from its signer: it must come from the node
        await _wait_until(lambda: any(e.WhichOneof("payload") == "vote" and e.vote == relayed for e in ear.received),
                          "the relayed prevote")
    finally:
        await node.stop()
        await server.stop(grace=0)


def test_prevotes_behind_the_valid_value_are_relayed(tmp_path: Path) -> None:
    asyncio.run(_polka_scenario(tmp_path / "net"))
