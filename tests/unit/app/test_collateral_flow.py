"""Collateral: deposit, one-epoch unbonding, downtime slash hitting active and unbonding funds
(reference CollateralTests), the weight adjustment after the grace period, and bad input.
Devnet clock: E = 29 ends epoch 0, E = 69 ends epoch 1."""

from pathlib import Path

import pytest

from node.chain.app.collateral.state import COLLATERAL_ACCOUNT
from node.core.errors import TxCode

from .economy_helpers import deposit_msg, events, host_node, rejected, run_poc, submit, withdraw_msg
from .harness import ALICE, BOB, CAROL, GNK, Node
from .inference_helpers import DEV, PRICE, Request


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return host_node(tmp_path, epoch={"epoch_length": 40}, pricing={"min_per_token_price": PRICE})


def collateral(node: Node, address: str) -> dict:  # type: ignore[type-arg]
    return node.app.query("collateral", {"address": address})


def test_deposit_withdraw_unbond_for_one_epoch_and_slash_unbonding_too(node: Node) -> None:
    start = node.balance(BOB)
    result = submit(node, BOB, deposit_msg(BOB, 10 * GNK))
    assert result.code == 0
    assert node.balance(BOB) == start - 10 * GNK
    assert node.app.query("balance", {"address": COLLATERAL_ACCOUNT})["amount"] == 10 * GNK
    result = submit(node, BOB, withdraw_msg(BOB, 4 * GNK))
    withdrawn = [dict(e.attributes) for e in result.events if e.type == "collateral_withdrawn"]
    assert withdrawn == [
        {"address": BOB.address, "amount": str(4 * GNK), "active": str(6 * GNK), "completion_epoch": "1"}
    ]
    # BOB misses a request: an inference assigned to it expires unfinished (1 missed of 1 > 5%).
    assert submit(node, ALICE, Request(executor=BOB).start()).code == 0
    settlement = node.run_blocks_until(29)
    assert events(settlement, "slashed") == [
        {"address": BOB.address, "amount": str(GNK), "reason": "downtime", "fraction_ppm": "100000"}
    ]
    held = collateral(node, BOB.address)
    assert (held["active"], held["unbonding"], held["total"]) == (
        54 * GNK // 10,
        [{"address": BOB.address, "completion_epoch": 1, "amount": 36 * GNK // 10}],
        9 * GNK,
    )
    assert node.app.query("participant", {"address": BOB.address})["collateral"] == 9 * GNK
    before = node.balance(BOB)
    released = node.run_blocks_until(69)  # epoch 1 ends: the unbonding entry is paid out
    assert events(released, "collateral_released") == [
        {"address": BOB.address, "amount": str(36 * GNK // 10), "epoch": "1"}
    ]
    assert node.balance(BOB) - before == 36 * GNK // 10
    assert collateral(node, BOB.address)["unbonding"] == []
    assert node.app.query("balance", {"address": COLLATERAL_ACCOUNT})["amount"] == 54 * GNK // 10


@pytest.mark.parametrize(
    ("signer", "message", "code", "reason"),
    [
        (BOB, deposit_msg(BOB, 0), TxCode.INVALID_COINS, "positive"),
        (BOB, deposit_msg(BOB, 10**6 * GNK), TxCode.INSUFFICIENT_FUNDS, "needs"),
        (BOB, withdraw_msg(BOB, 1), TxCode.INSUFFICIENT_FUNDS, "has 0 ngonka of collateral"),
        (DEV, deposit_msg(DEV, 1), TxCode.NOT_FOUND, "not a registered host"),
        (DEV, withdraw_msg(DEV, 1), TxCode.NOT_FOUND, "not a registered host"),
        (CAROL, deposit_msg(BOB, 1), TxCode.UNAUTHORIZED, ""),
    ],
)
def test_bad_collateral_messages(node: Node, signer: object, message: object, code: TxCode, reason: str) -> None:
    result = rejected(node, signer, message)  # type: ignore[arg-type]
    assert result.code == code and reason in result.log, result.log


def test_after_the_grace_period_weight_needs_collateral(tmp_path: Path) -> None:
    node = host_node(tmp_path, epoch={"epoch_length": 40}, collateral={"grace_period_end_epoch": 0})
    assert submit(node, BOB, deposit_msg(BOB, 50)).code == 0  # 50 ngonka back 50 weight units (1 per unit)
    results = run_poc(node, {ALICE: 100, BOB: 100})
    weights = {e["address"]: int(e["weight"]) for e in events(results, "weights_computed")}
    # 0.2·W unconditionally, the other 0.8·W only as far as collateral covers it.
    assert weights == {ALICE.address: 20, BOB.address: 70}
