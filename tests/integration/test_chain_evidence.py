"""n4f1 equivocation: a validator that signs two different prevotes at one height and round is
caught — duplicate-vote evidence is committed on every node, the validator is jailed and leaves
the validator set, and the other three keep committing.

The test plays the Byzantine validator itself with p4's real consensus key, talking the real
p2p protocol to the honest nodes; no test switch exists in the node's code.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from node.chain.consensus.signing import vote_sign_bytes
from node.chain.consensus.validators import Validator, ValidatorSet
from node.core.consensus_keys import ConsensusKey, consensus_address
from node.devnet.network import Devnet
from node.proto.gonka import consensus_pb2 as pb
from node.proto.gonka import consensus_pb2_grpc as pb_grpc

DEADLINE_S = 60


@pytest.fixture
def own_devnet(tmp_path: Path) -> Iterator[Devnet]:
    net = Devnet.up(tmp_path / "net", participants=4)
    try:
        yield net
    finally:
        net.down()


def _conflicting_prevotes(chain_id: str, key: ConsensusKey, height: int) -> list[pb.Envelope]:
    envelopes = []
    for block_hash in (os.urandom(32), os.urandom(32)):
        vote = pb.Vote(type=pb.PREVOTE, height=height, round=0, block_hash=block_hash,
                       validator_address=consensus_address(key.public_key))
        vote.signature = key.sign(vote_sign_bytes(chain_id, vote))
        envelopes.append(pb.Envelope(sender=vote.validator_address, sender_height=height, vote=vote))
    return envelopes


async def _send(p2p_urls: list[str], envelopes: list[pb.Envelope]) -> None:
    async def one(url: str) -> None:
        async with grpc.aio.insecure_channel(url) as channel:
            await pb_grpc.P2PStub(channel).Gossip(iter(envelopes), timeout=5)

    await asyncio.gather(*(one(url) for url in p2p_urls))


def _consensus_key(net: Devnet, participant: str) -> ConsensusKey:
    key_file = net.dir / participant / "chain" / "consensus_key.json"
    return ConsensusKey.from_seed(bytes.fromhex(json.loads(key_file.read_text())["seed"]))


def _jailed(net: Devnet, name: str) -> bool:
    with net.client(name) as client:
        validators = client.query("validators")["validators"]
    return any(v["name"] == "p4" and v["jailed"] for v in validators)


def test_n4f1_double_sign_is_evidenced_jailed_and_removed(own_devnet: Devnet) -> None:
    net = own_devnet
    key = _consensus_key(net, "p4")
    honest = [node for node in net.manifest.nodes if node.participant != "p4"]
    with net.client("p1") as client:
        chain_id = client.status()["chain_id"]
        deadline = time.monotonic() + DEADLINE_S
        while not _jailed(net, "p1"):
            assert time.monotonic() < deadline, "the equivocation was never punished"
            height = client.status()["height"] + 1
            asyncio.run(_send([node.urls["p2p"] for node in honest], _conflicting_prevotes(chain_id, key, height)))
            client.status()  # pacing by a round trip, not a sleep
        jailed_at = client.status()["height"]

        evidence_blocks = [h for h in range(1, jailed_at + 1) if client.block(h)["evidence_count"]]
        assert evidence_blocks, "no block carried the evidence"
        for node in honest:
            assert _jailed(net, node.participant)
            with net.client(node.participant) as other:
                assert other.block(evidence_blocks[0])["hash"] == client.block(evidence_blocks[0])["hash"]

        # from two heights after the jailing on, blocks are decided by the three honest validators only
        honest_set = ValidatorSet(
            Validator(consensus_address(pk), pk, 10)
            for pk in (_consensus_key(net, node.participant).public_key for node in honest)
        )
        assert client.block(1)["validators_hash"] != honest_set.hash().hex()
        net.stop("p4", kill=True)
        target = jailed_at + 3
        while client.status()["height"] < target:
            assert time.monotonic() < deadline + DEADLINE_S, "chain stalled after the jailing"
        assert client.block(target)["validators_hash"] == honest_set.hash().hex()
