"""Fuzzing a live chain node over its real gRPC ports (hypothesis, bounded example counts):
raw bytes and structurally valid but hostile messages on the p2p gossip stream and block
fetch, and on the public BroadcastTx/Query/GetBlock/GetTx calls. Every input is refused
cleanly; afterwards the network is healthy, keeps committing, and no state changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node.chain.client import ChainClient
from node.devnet.network import Devnet
from node.proto.gonka import chain_pb2, chain_pb2_grpc
from node.proto.gonka import consensus_pb2 as cpb

from tests.faults.invariants import chain_urls, check_headers_agree, common_height

EXAMPLES = 120
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    network = Devnet.up(tmp_path_factory.mktemp("fuzz") / "net", participants=4, only="chain")
    try:
        yield network
    finally:
        network.down()


def _raw_call(url: str, method: str, payload: bytes, streaming: bool) -> None:
    with grpc.insecure_channel(url) as channel:
        if streaming:
            call = channel.stream_unary(method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            try:
                call(iter([payload]), timeout=3)
            except grpc.RpcError:
                pass
        else:
            call = channel.unary_unary(method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            try:
                call(payload, timeout=3)
            except grpc.RpcError:
                pass


def _p2p_url(net: Devnet) -> str:
    return net.manifest.nodes[0].urls["p2p"]


@given(payload=st.binary(max_size=2048))
@FUZZ
def test_random_bytes_on_p2p(net: Devnet, payload: bytes) -> None:
    _raw_call(_p2p_url(net), "/gonka.consensus.P2P/Gossip", payload, streaming=True)
    _raw_call(_p2p_url(net), "/gonka.consensus.P2P/GetBlock", payload, streaming=False)


votes = st.builds(
    cpb.Vote,
    type=st.integers(0, 5),
    height=st.integers(0, 2**64 - 1),
    round=st.integers(0, 2**32 - 1),
    block_hash=st.binary(max_size=40),
    validator_address=st.binary(max_size=24),
    signature=st.binary(max_size=80),
)
proposals = st.builds(
    cpb.Proposal,
    height=st.integers(0, 2**64 - 1),
    round=st.integers(0, 2**32 - 1),
    pol_round=st.integers(-(2**31), 2**31 - 1),
    block_hash=st.binary(max_size=40),
    proposer_address=st.binary(max_size=24),
    signature=st.binary(max_size=80),
)
envelopes = st.one_of(
    st.builds(cpb.Envelope, sender=st.binary(max_size=24), sender_height=st.integers(0, 2**64 - 1), vote=votes),
    st.builds(
        cpb.Envelope,
        sender_height=st.integers(0, 2**64 - 1),
        proposal=st.builds(cpb.ProposalMessage, proposal=proposals),
    ),
    st.builds(cpb.Envelope, evidence=st.builds(cpb.DuplicateVoteEvidence, vote_a=votes, vote_b=votes)),
    st.builds(cpb.Envelope, txs=st.builds(cpb.TxBatch, txs=st.lists(st.binary(max_size=300), max_size=5))),
)


@given(envelope=envelopes)
@FUZZ
def test_hostile_envelopes_on_gossip(net: Devnet, envelope: cpb.Envelope) -> None:
    _raw_call(_p2p_url(net), "/gonka.consensus.P2P/Gossip", envelope.SerializeToString(), streaming=True)


@given(
    tx=st.binary(max_size=4096),
    path=st.text(max_size=30),
    params=st.dictionaries(st.text(max_size=10), st.one_of(st.integers(), st.text(max_size=20), st.none()), max_size=3),
    height=st.integers(0, 2**64 - 1),
    tx_hash=st.text(max_size=70),
)
@FUZZ
def test_hostile_public_requests(
    net: Devnet, tx: bytes, path: str, params: dict[str, object], height: int, tx_hash: str
) -> None:
    with grpc.insecure_channel(net.manifest.nodes[1].url) as channel:
        stub = chain_pb2_grpc.ChainStub(channel)
        answer = stub.BroadcastTx(chain_pb2.BroadcastTxRequest(tx=tx or b"\x00"), timeout=5)
        assert answer.check_code != 0 and answer.check_log  # random bytes are never a valid signed tx
        for call, request in (
            (stub.Query, chain_pb2.QueryRequest(path=path, params_json=json.dumps(params))),
            (stub.Query, chain_pb2.QueryRequest(path="balance", params_json=path)),
            (stub.GetBlock, chain_pb2.GetBlockRequest(height=height)),
            (stub.GetTx, chain_pb2.GetTxRequest(hash=tx_hash)),
        ):
            try:
                call(request, timeout=5)
            except grpc.RpcError as error:
                assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), error


def test_network_healthy_and_unchanged_after_fuzzing(net: Devnet) -> None:
    urls = chain_urls(net)
    with ChainClient(urls[0]) as client:
        supply = client.query("supply")
        faucet = client.balance(net.manifest.faucet.address)
    start = common_height(urls)
    for url in urls:
        with ChainClient(url) as client:
            assert client.status()["mempool_size"] == 0
    check_headers_agree(urls)
    with ChainClient(urls[0]) as client:
        assert client.query("supply") == supply and client.balance(net.manifest.faucet.address) == faucet
    assert common_height(urls) >= start
