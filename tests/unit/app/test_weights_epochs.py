"""Weights as the chain derives them at the end of PoC validation (reference §2-3): acceptance by more
than half of the current group's weight, fraud majority, seed requirement, capping, and consensus power
switched at set-new-validators (devnet clock: E = P+9, S = P+10; first P = 20, then 60, 100)."""

from pathlib import Path

import pytest

from node.chain.app.abci import ValidatorUpdate
from node.core.consensus_keys import ConsensusKey

from .economy_helpers import events, group, host_node, run_poc
from .harness import ALICE, BOB, CAROL, DAVE, Node

HOSTS = (ALICE, BOB, CAROL, DAVE)
KEY = {key.address: ConsensusKey.from_seed(bytes([i + 1]) * 32).public_key for i, key in enumerate(HOSTS)}


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return host_node(tmp_path, powers=(10, 10, 10, 10))


def verdicts(results: list) -> dict[str, dict[str, str]]:  # type: ignore[type-arg]
    return {e["address"]: e for e in events(results, "weights_computed")}


def powers(node: Node) -> dict[str, int]:
    return {v["operator_address"]: v["power"] for v in node.app.query("validators", {})["validators"]}


def test_epoch_zero_keeps_the_genesis_validators(node: Node) -> None:
    results = node.run_blocks_until(29)
    assert not [r for r in results if r.validator_updates]
    assert powers(node) == {key.address: 10 for key in (ALICE, BOB, CAROL, DAVE)}
    assert group(node, 0)[ALICE.address]["weight"] == 10
    assert node.app.query("epoch_group", {})["epoch_index"] == 0


def test_first_poc_accepts_everyone_and_switches_powers_at_set_new_validators(node: Node) -> None:
    results = run_poc(node, {ALICE: 30, BOB: 10, CAROL: 10}, votes={})  # no votes at all; DAVE did no PoC
    found = verdicts(results)
    assert set(found) == {ALICE.address, BOB.address, CAROL.address}
    # 3 participants: cap 0.4; k=2: 30 > 0.4·(20 + 30) = 20 → cap = 0.4·20 / (1 − 0.4) = 13
    assert (found[ALICE.address]["claimed"], found[ALICE.address]["capped"]) == ("30", "13")
    assert all(found[a]["accepted"] == "True" for a in found)
    weights = {address: member["weight"] for address, member in group(node, 1).items()}
    assert weights == {ALICE.address: 13, BOB.address: 10, CAROL.address: 10}
    assert powers(node)[ALICE.address] == 10  # not yet: the group becomes effective at S = 30
    switch = node.run_block()
    assert sorted(switch.validator_updates, key=lambda u: u.public_key) == sorted(
        [ValidatorUpdate(KEY[ALICE.address], 13), ValidatorUpdate(KEY[DAVE.address], 0)], key=lambda u: u.public_key
    )
    assert events(switch, "validators_switched")[0]["total_weight"] == "33"
    assert powers(node) == {ALICE.address: 13, BOB.address: 10, CAROL.address: 10, DAVE.address: 0}
    assert node.app.query("participant", {"address": ALICE.address})["voting_power"] == 13


def test_acceptance_needs_more_than_half_of_the_group_weight(node: Node) -> None:
    everyone = {ALICE: 10, BOB: 10, CAROL: 10, DAVE: 10}
    run_poc(node, everyone)  # group 1: four members of weight 10 (total 40)
    votes = {
        ALICE: {ALICE: False, BOB: False, CAROL: False, DAVE: False},
        BOB: {ALICE: False, BOB: False, CAROL: False},
        CAROL: {ALICE: False, BOB: False, DAVE: True},
    }
    results = run_poc(node, everyone, votes=votes)
    found = verdicts(results)
    # ALICE, BOB: 30 of 40 valid → accepted; CAROL: 20 of 40 is not MORE than half → no weight;
    # DAVE: 10 valid, 10 fraud → neither side above half → no weight, but no fraud either.
    assert [found[k.address]["accepted"] for k in (ALICE, BOB, CAROL, DAVE)] == ["True", "True", "False", "False"]
    assert "do not exceed half" in found[CAROL.address]["reason"]
    assert not events(results, "cheater_marked")
    assert {a: m["weight"] for a, m in group(node, 2).items()} == {ALICE.address: 10, BOB.address: 10}
    switch = node.run_block()  # S = 70: the rejected leave the validator set
    assert sorted(switch.validator_updates, key=lambda u: u.public_key) == sorted(
        [ValidatorUpdate(KEY[CAROL.address], 0), ValidatorUpdate(KEY[DAVE.address], 0)], key=lambda u: u.public_key
    )


def test_fraud_majority_zeroes_the_weight_and_marks_a_cheater(node: Node) -> None:
    run_poc(node, {ALICE: 10, BOB: 10, CAROL: 10})
    node.run_block()
    votes = {ALICE: {ALICE: False, BOB: False, CAROL: True}, BOB: {ALICE: False, BOB: False, CAROL: True}}
    results = run_poc(node, {ALICE: 10, BOB: 10, CAROL: 10}, votes=votes)
    carol = verdicts(results)[CAROL.address]
    assert (carol["accepted"], carol["capped"]) == ("False", "0")
    assert "fraud" in carol["reason"]
    assert events(results, "cheater_marked") == [{"address": CAROL.address, "epoch_index": "1", "reason": "poc fraud"}]
    # The forfeit hits the epoch settled in the same block (epoch 1): no settle amount for CAROL.
    assert [e["address"] for e in events(results, "forfeited") if e["reason"] == "cheater"] == [CAROL.address]
    assert CAROL.address not in {e["address"] for e in events(results, "settlement")}
    assert CAROL.address not in group(node, 2)


def test_a_seed_commit_is_required(node: Node) -> None:
    results = run_poc(node, {ALICE: 10, BOB: 10}, seeds=[ALICE])
    assert verdicts(results)[BOB.address]["reason"] == "no seed commit for the epoch"
    assert set(group(node, 1)) == {ALICE.address}


def test_a_weight_change_changes_the_power(node: Node) -> None:
    run_poc(node, {ALICE: 10, BOB: 10, CAROL: 10, DAVE: 10})
    assert not [u for u in node.run_block().validator_updates]  # all still 10
    # With 4 participants every share is capped at 25%, so the lowest weight bounds all: [7, 10, 10, 10] → 7 each.
    run_poc(node, {ALICE: 10, BOB: 7, CAROL: 10, DAVE: 10})
    assert set(node.run_block().validator_updates) == {ValidatorUpdate(key, 7) for key in KEY.values()}


def test_nobody_qualifying_carries_the_group_over(node: Node) -> None:
    results = run_poc(node, {}, votes={})
    assert events(results, "epoch_group_formed") == [
        {"epoch_index": "1", "members": "4", "total_weight": "40", "carried_over": "True"}
    ]
    assert not node.run_block().validator_updates
    assert powers(node) == {key.address: 10 for key in (ALICE, BOB, CAROL, DAVE)}
