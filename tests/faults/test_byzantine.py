"""Byzantine validators with less than 1/3 of the power never make honest nodes disagree.

1. An equivocating proposer: p4 runs with the test-only switch GONKA_TEST_EQUIVOCATING_PROPOSER
   (node/chain/consensus/equivocation.py). Whenever it proposes, some peers get one block and the
   others a different one, both signed for the same height and round. No two nodes commit
   different blocks at any height, and commits continue.
2. Conflicting votes: with p4's real consensus key the test sends, at every height, a prevote and
   a precommit for one block hash to p1 and for another hash to p2 and p3 (the approach of
   tests/integration/test_chain_evidence.py), until the evidence gets p4 jailed. Still no
   disagreement, and the three honest validators keep committing.
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from node.chain.consensus.equivocation import ENV, from_env
from node.chain.consensus.signing import vote_sign_bytes
from node.core.consensus_keys import ConsensusKey, consensus_address
from node.devnet.network import Devnet
from node.proto.gonka import consensus_pb2 as pb
from tests.faults.invariants import chain_urls, check_headers_agree, common_height, wait_common_height
from tests.integration.test_chain_evidence import _consensus_key, _jailed, _send

EQUIVOCATIONS = 4  # p4 proposes about every 4th height; each of its proposals is split
DEADLINE_S = 90


def _equivocations(net: Devnet) -> int:
    return sum("equivocating at height" in line for line in net.logs("p4-chain", 2000))


def _split_votes(chain_id: str, key: ConsensusKey, height: int) -> tuple[list[pb.Envelope], list[pb.Envelope]]:
    """Prevote and precommit for hash X (first list) and for hash Y (second), all round 0."""
    sides = []
    for block_hash in (os.urandom(32), os.urandom(32)):
        envelopes = []
        for vote_type in (pb.PREVOTE, pb.PRECOMMIT):
            vote = pb.Vote(type=vote_type, height=height, round=0, block_hash=block_hash,
                           validator_address=consensus_address(key.public_key))
            vote.signature = key.sign(vote_sign_bytes(chain_id, vote))
            envelopes.append(pb.Envelope(sender=vote.validator_address, sender_height=height, vote=vote))
        sides.append(envelopes)
    return sides[0], sides[1]


def test_equivocating_proposer_and_conflicting_votes_below_one_third(
    net4: Devnet, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = net4
    net.stop("p4-chain")
    with monkeypatch.context() as env:  # only p4's new process sees the switch
        env.setenv(ENV, "1")
        net.start("p4-chain")
    urls = chain_urls(net)
    start = common_height(urls)

    deadline = time.monotonic() + DEADLINE_S
    while _equivocations(net) < EQUIVOCATIONS:
        assert time.monotonic() < deadline, f"p4 equivocated only {_equivocations(net)} times"
        wait_common_height(urls, common_height(urls) + 1, timeout_s=30)  # pacing by blocks, not sleeps
    wait_common_height(urls, common_height(urls) + 2, timeout_s=30)
    assert common_height(urls) >= start + EQUIVOCATIONS * 2, "commits stalled under the equivocating proposer"
    check_headers_agree(urls)

    key = _consensus_key(net, "p4")
    honest = {p: net.node(f"{p}-chain").urls["p2p"] for p in ("p1", "p2", "p3")}
    with net.client("p1-chain") as client:
        chain_id = client.status()["chain_id"]
        deadline = time.monotonic() + DEADLINE_S
        while not _jailed(net, "p1-chain"):
            assert time.monotonic() < deadline, "the conflicting votes were never punished"
            side_x, side_y = _split_votes(chain_id, key, client.status()["height"] + 1)
            asyncio.run(_send([honest["p1"]], side_x))
            asyncio.run(_send([honest["p2"], honest["p3"]], side_y))
        jailed_at = client.status()["height"]
    honest_urls = [net.node(f"{p}-chain").url for p in honest]
    wait_common_height(honest_urls, jailed_at + 3, timeout_s=60)
    check_headers_agree(urls)  # p4 included: it still follows the chain as a full node


def test_equivocation_switch_is_refused_outside_a_devnet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert from_env("mainnet") is None
    monkeypatch.setenv(ENV, "1")
    assert from_env("devnet") is not None
    for profile in ("mainnet", "testermint"):
        with pytest.raises(RuntimeError, match=ENV):
            from_env(profile)
