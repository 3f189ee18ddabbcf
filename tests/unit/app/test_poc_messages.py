"""Seed commits, PoC batches and PoC validations: what is accepted, and bad input that is rejected
with a clear reason and changes nothing (devnet clock: P = 20, batches 21..26, votes 26..29, E = 29)."""

import math
from pathlib import Path

import pytest

from node.chain.app.epochs.group import seed_signature
from node.chain.store.state_store import StateStore
from node.core.errors import TxCode
from node.proto.gonka.poc_pb2 import MsgSubmitSeed

from .economy_helpers import (
    batch_msg,
    block,
    events,
    host_node,
    rejected,
    run_poc,
    seed_msg,
    seed_signature as sign_seed,
    submit,
    vote_msg,
)
from .harness import ALICE, BOB, CAROL, Node
from .inference_helpers import DEV

P = 20


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return host_node(tmp_path)


def test_seed_commit_is_stored_once(node: Node) -> None:
    node.run_blocks_until(P - 1)
    result = block(node, {ALICE: [seed_msg(ALICE, 1, seed=42)]})
    assert events(result, "seed_submitted") == [{"address": ALICE.address, "epoch_index": "1"}]
    assert seed_signature(StateStore(node.db), 1, ALICE.address) == bytes.fromhex(sign_seed(ALICE, 42))
    assert "already committed" in rejected(node, ALICE, seed_msg(ALICE, 1, seed=43)).log


def test_epoch_zero_seeds_are_accepted_during_epoch_zero(node: Node) -> None:
    assert submit(node, BOB, seed_msg(BOB, 0)).code == 0
    node.run_blocks_until(P)
    assert "accepted for epoch 1 now, not 0" in rejected(node, CAROL, seed_msg(CAROL, 0)).log


@pytest.mark.parametrize(
    ("message", "signer", "code", "reason"),
    [
        (MsgSubmitSeed(creator=ALICE.address, epoch_index=0, signature="zz" * 64), ALICE, 18, "hex"),
        (MsgSubmitSeed(creator=ALICE.address, epoch_index=0, signature="ab" * 63), ALICE, 18, "64 bytes"),
        (seed_msg(ALICE, 3), ALICE, 18, "accepted for epoch 0 now, not 3"),
        (MsgSubmitSeed(creator=DEV.address, epoch_index=0, signature="ab" * 64), DEV, 38, "not a registered host"),
        (seed_msg(ALICE, 0), BOB, 4, ""),  # signed by another account
    ],
)
def test_bad_seed_commits(node: Node, message: MsgSubmitSeed, signer: object, code: int, reason: str) -> None:
    result = rejected(node, signer, message)  # type: ignore[arg-type]
    assert result.code == code and reason in result.log, result.log


def test_batches_only_in_the_window_for_the_upcoming_poc(node: Node) -> None:
    assert "not the upcoming epoch's PoC start" in rejected(node, ALICE, batch_msg(ALICE, P, 5)).log  # epoch 0
    for bad, reason in [  # malformed: rejected whenever sent
        (batch_msg(ALICE, P, 2, "d", dist=[0.1]), "one distance per nonce"),
        (batch_msg(ALICE, P, 1, "e", dist=[math.nan]), "finite"),
        (batch_msg(ALICE, P, 0, "f"), "at least one nonce"),
        (batch_msg(ALICE, P, 1, ""), "batch_id"),
    ]:
        assert reason in rejected(node, ALICE, bad).log
    assert "not a registered host" in rejected(node, DEV, batch_msg(DEV, P, 1, "g")).log
    node.run_blocks_until(P - 1)
    result = submit(node, ALICE, batch_msg(ALICE, P, 5))  # at P itself
    assert result.code == TxCode.INVALID_REQUEST and "accepted at heights 21..26, not 20" in result.log
    result = block(node, {ALICE: [batch_msg(ALICE, P, 5, "a"), batch_msg(ALICE, P, 3, "b")]})
    assert [e["nonce_count"] for e in events(result, "poc_batch")] == ["5", "3"]
    assert "already submitted" in rejected(node, ALICE, batch_msg(ALICE, P, 2, "a")).log
    assert "not the upcoming" in rejected(node, ALICE, batch_msg(ALICE, P + 1, 2, "c")).log
    too_many = batch_msg(ALICE, P, 10_001, "big")
    assert "at most 10000 nonces" in rejected(node, ALICE, too_many).log
    node.run_blocks_until(26)
    assert "accepted at heights 21..26, not 27" in rejected(node, ALICE, batch_msg(ALICE, P, 1, "late")).log
    batches = node.app.query("poc_batches", {"epoch": 1})["batches"]
    assert [(b["batch_id"], b["nonce_count"]) for b in batches] == [("a", 5), ("b", 3)]
    assert node.app.query("poc_batches", {"poc_start_height": P})["batches"] == batches


def test_validations_only_in_the_window_and_once(node: Node) -> None:
    node.run_blocks_until(P)
    block(node, {ALICE: [seed_msg(ALICE, 1), batch_msg(ALICE, P, 5)]})
    assert "accepted at heights 26..29, not 22" in rejected(node, BOB, vote_msg(BOB, ALICE, P)).log
    bad_probability = vote_msg(CAROL, ALICE, P)
    bad_probability.probability_honest_ppb = 10**9 + 1
    assert "at most 1000000000" in rejected(node, CAROL, bad_probability).log
    assert "not a registered host" in rejected(node, DEV, vote_msg(DEV, ALICE, P)).log
    node.run_blocks_until(25)
    result = block(node, {BOB: [vote_msg(BOB, ALICE, P)]})
    assert events(result, "poc_validation")[0]["fraud_detected"] == "False"
    assert "already validated" in rejected(node, BOB, vote_msg(BOB, ALICE, P, fraud=True)).log
    assert "no PoC batches" in rejected(node, BOB, vote_msg(BOB, CAROL, P)).log
    [stored] = node.app.query("poc_validations", {"epoch": 1})["validations"]
    assert (stored["validator"], stored["participant"], stored["height"]) == (BOB.address, ALICE.address, 26)


def test_after_the_first_poc_only_current_members_vote(node: Node) -> None:
    run_poc(node, {ALICE: 5, BOB: 5})  # CAROL did no PoC: not in epoch 1's group
    P2 = 60
    node.run_blocks_until(P2)
    block(node, {CAROL: [seed_msg(CAROL, 2), batch_msg(CAROL, P2, 5)], ALICE: [batch_msg(ALICE, P2, 5)]})
    node.run_blocks_until(P2 + 5)
    result = rejected(node, CAROL, vote_msg(CAROL, ALICE, P2))
    assert result.code == TxCode.UNAUTHORIZED and "not a member of the current epoch group" in result.log
    assert submit(node, BOB, vote_msg(BOB, CAROL, P2)).code == 0
