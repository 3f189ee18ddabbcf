"""Epoch reward with decay (integer fixed point, checked against 80-digit decimals), its split by
weight, and settlement as the chain runs it (reference §7)."""

from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

from node.chain.app.settlement.state import SETTLEMENT_ACCOUNT
from node.core.keys import AccountKey
from node.core.rewards import EXP_FRACTION_BITS, epoch_reward, exp_neg_scaled, split_by_weight

from .economy_helpers import SEEDS, claim_msg, events, host_node, run_poc, seed_signature, submit
from .harness import ALICE, BOB, CAROL, GNK, Node

MAINNET_R0, DECAY_PPB = 323_000 * GNK, 475_000


def exact_exp_scaled(numerator: int, denominator: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return (Decimal(-numerator) / Decimal(denominator)).exp() * (Decimal(2) ** EXP_FRACTION_BITS)


@pytest.mark.parametrize("x_ppb", [0, 1, 475_000, 10**9 // 3, 10**9, 2_718_281_828, 10**10, 33 * 10**9, 64 * 10**9])
def test_fixed_point_exp_is_within_one_unit(x_ppb: int) -> None:
    assert abs(exact_exp_scaled(x_ppb, 10**9) - exp_neg_scaled(x_ppb, 10**9)) < 1


def test_fixed_point_exp_is_pinned() -> None:
    """The exact integers every node must produce (any change here is a consensus change)."""
    assert exp_neg_scaled(0, 1) == 1 << 128
    assert exp_neg_scaled(475_000, 10**9) == 340120771178678141120650925508024662178
    assert exp_neg_scaled(10**9, 10**9) == 125182886983370532117250726298150828301


def test_reward_decays_from_the_genesis_epoch() -> None:
    assert epoch_reward(MAINNET_R0, DECAY_PPB, 1, 1) == MAINNET_R0
    assert epoch_reward(MAINNET_R0, DECAY_PPB, 1, 0) == 0  # before genesis_epoch
    second = epoch_reward(MAINNET_R0, DECAY_PPB, 1, 2)
    assert second == 322_846_611_432_668  # floor(3.23e14 · e^-0.000475)
    # Half-life ln 2 / 0.000475 ≈ 1459.2 epochs (about 4 years of daily epochs).
    half = epoch_reward(MAINNET_R0, DECAY_PPB, 1, 1 + 1459)
    assert MAINNET_R0 // 2 < half < MAINNET_R0 // 2 * 1001 // 1000
    for epoch in (1, 2, 100, 1460, 10_000, 50_000):
        exact = int(MAINNET_R0 * exact_exp_scaled(DECAY_PPB * (epoch - 1), 10**9) / (Decimal(2) ** EXP_FRACTION_BITS))
        assert epoch_reward(MAINNET_R0, DECAY_PPB, 1, epoch) == exact


def test_split_floors_and_gives_the_remainder_to_the_first() -> None:
    assert split_by_weight(100, [1, 1, 1]) == [34, 33, 33]
    assert split_by_weight(10, [5, 3, 2]) == [5, 3, 2]
    assert split_by_weight(7, [0, 1, 1]) == [1, 3, 3]
    assert split_by_weight(5, [0, 0]) == [0, 0]
    assert split_by_weight(999_525_112_794, [10, 20, 20]) == [199_905_022_560, 399_810_045_117, 399_810_045_117]


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return host_node(tmp_path)


def unclaimed(node: Node, key: AccountKey) -> dict[str, Any] | None:
    found: dict[str, Any] | None = node.app.query("settlement", {"address": key.address})["unclaimed"]
    return found


def balance_of(node: Node, address: str) -> int:
    amount: int = node.app.query("balance", {"address": address})["amount"]
    return amount


def test_settlement_mints_the_reward_and_splits_it_by_weight(node: Node) -> None:
    run_poc(node, {ALICE: 100, BOB: 50, CAROL: 10})  # group 1 after capping (cap 0.4): 20, 20, 10
    node.run_block()
    supply = node.app.query("supply", {})
    results = run_poc(node, {ALICE: 10, BOB: 10, CAROL: 10})  # its end settles epoch 1
    reward = epoch_reward(1000 * GNK, DECAY_PPB, 0, 1)  # devnet: 1000 GNK from epoch 0 on
    assert reward == 999_525_112_794
    assert events(results, "mint") == [{"recipient": SETTLEMENT_ACCOUNT, "amount": str(reward)}]
    settled = {e["address"]: int(e["reward_coins"]) for e in events(results, "settlement")}
    # By address: CAROL (10) first, then BOB and ALICE (20 each); the remainder (2) goes to CAROL.
    assert settled == {CAROL.address: 199_905_022_560, BOB.address: 399_810_045_117, ALICE.address: 399_810_045_117}
    after = node.app.query("supply", {})
    # Epoch 0's unclaimed amounts (1000 GNK over the three genesis hosts) were burned in the same block.
    assert (after["minted"] - supply["minted"], after["burned"] - supply["burned"]) == (reward, 1000 * GNK)
    assert balance_of(node, SETTLEMENT_ACCOUNT) == reward
    assert unclaimed(node, ALICE) == {
        "participant": ALICE.address,
        "epoch_index": 1,
        "work_coins": 0,
        "reward_coins": 399_810_045_117,
        "seed_signature": seed_signature(ALICE, SEEDS[ALICE.address]),
    }
    summary = node.app.query("settlement", {"address": CAROL.address, "epoch": 1})["epochs"]
    assert [(s["weight"], s["reward_coins"], s["forfeited"]) for s in summary] == [(10, 199_905_022_560, False)]


def test_a_claim_pays_and_an_unclaimed_amount_is_burned(node: Node) -> None:
    run_poc(node, {ALICE: 10, BOB: 10, CAROL: 10})
    node.run_block()
    run_poc(node, {ALICE: 10, BOB: 10, CAROL: 10})  # settles epoch 1: a third each
    shares = {key.address: unclaimed(node, key)["reward_coins"] for key in (ALICE, BOB, CAROL)}  # type: ignore[index]
    before = node.balance(ALICE)
    result = submit(node, ALICE, claim_msg(ALICE, 1))
    assert result.code == 0, result.log
    claimed = [dict(e.attributes) for e in result.events if e.type == "rewards_claimed"]
    assert claimed == [
        {
            "address": ALICE.address,
            "epoch_index": "1",
            "work_coins": "0",
            "reward_coins": str(shares[ALICE.address]),
            "paid": str(shares[ALICE.address]),
            "burned": "0",
        }
    ]
    assert node.balance(ALICE) == before + shares[ALICE.address]
    assert unclaimed(node, ALICE) is None
    burned = node.app.query("supply", {})["burned"]
    results = run_poc(node, {ALICE: 10, BOB: 10, CAROL: 10})  # settling epoch 2 burns BOB's and CAROL's epoch 1
    burns = [e for e in events(results, "forfeited") if e["reason"] == "unclaimed"]
    assert {(e["address"], e["epoch_index"]) for e in burns} == {(BOB.address, "1"), (CAROL.address, "1")}
    assert node.app.query("supply", {})["burned"] - burned == shares[BOB.address] + shares[CAROL.address]
