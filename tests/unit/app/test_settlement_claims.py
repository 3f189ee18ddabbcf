"""MsgClaimRewards with the real claim-time duty (validation.state.required_validations_missing):
two hosts, BOB executes one inference in epoch 0 and ALICE (reputation 0, so validation target 1.0
and p = 10 / (20 − 10) = 1) must validate it. Devnet clock with epoch_length 60: P = 40, E = 49."""

from pathlib import Path

import pytest

from node.chain.app.settlement.state import SETTLEMENT_ACCOUNT
from node.core.errors import TxCode
from node.proto.gonka.validation_pb2 import MsgValidation

from .economy_helpers import block, claim_msg, economy_state, events, rejected, seed_msg, submit
from .harness import ALICE, BOB, CAROL, Node
from .inference_helpers import DEV, PRICE, Request, inference_genesis

E = 49
COST = 50 * PRICE  # 20 prompt + 30 completion tokens


def epoch_zero(tmp_path: Path, validated: bool) -> Node:
    """Seeds for epoch 0, one finished inference (validated by ALICE or not), run past the settlement."""
    genesis = inference_genesis((10, 10), epoch={"epoch_length": 60}, pricing={"min_per_token_price": PRICE})
    node = Node(tmp_path / "node.db", genesis)
    block(node, {ALICE: [seed_msg(ALICE, 0)], BOB: [seed_msg(BOB, 0)]})
    request = Request()
    assert submit(node, ALICE, request.start()).code == 0
    assert submit(node, BOB, request.finish(prompt_tokens=20, completion_tokens=30)).code == 0
    if validated:
        check = MsgValidation(
            creator=ALICE.address, inference_id=request.inference_id, response_hash="cd" * 32, value_ppm=995_000
        )
        assert submit(node, ALICE, check).code == 0
    node.run_blocks_until(E + 1)  # settlement at E, new validators at E + 1
    return node


def settled(node: Node, address: str) -> dict[str, int]:
    amount = node.app.query("settlement", {"address": address})["unclaimed"]
    return {"work": amount["work_coins"], "reward": amount["reward_coins"]}


def test_claim_with_the_required_validation_done_pays_work_and_reward(tmp_path: Path) -> None:
    node = epoch_zero(tmp_path, validated=True)
    # The pass re-split the cost equally between executor and validator; the 1000 GNK reward by weight.
    assert settled(node, ALICE.address) == {"work": COST // 2, "reward": 500 * 10**9}
    assert settled(node, BOB.address) == {"work": COST // 2, "reward": 500 * 10**9}
    for key in (ALICE, BOB):
        before = node.balance(key)
        result = submit(node, key, claim_msg(key, 0))
        assert result.code == 0, result.log
        assert node.balance(key) == before + COST // 2 + 500 * 10**9
    assert node.app.query("balance", {"address": SETTLEMENT_ACCOUNT})["amount"] == 0


def test_claim_without_the_required_validation_pays_nothing_and_burns(tmp_path: Path) -> None:
    node = epoch_zero(tmp_path, validated=False)
    amount = settled(node, ALICE.address)
    assert amount == {"work": 0, "reward": 500 * 10**9}
    before, burned = node.balance(ALICE), node.app.query("supply", {})["burned"]
    result = submit(node, ALICE, claim_msg(ALICE, 0))
    assert result.code == 0, result.log  # the outcome is recorded: the amount is gone
    [forfeited] = [dict(e.attributes) for e in result.events if e.type == "forfeited"]
    assert forfeited == {
        "address": ALICE.address,
        "epoch_index": "0",
        "amount": str(500 * 10**9),
        "reason": "missed 1 required validations",
    }
    assert node.balance(ALICE) == before
    assert node.app.query("supply", {})["burned"] - burned == 500 * 10**9
    assert node.app.query("settlement", {"address": ALICE.address})["unclaimed"] is None
    # BOB executed it (no duty for one's own inference): paid in full.
    assert submit(node, BOB, claim_msg(BOB, 0)).code == 0


@pytest.mark.parametrize(
    ("signer", "message", "code", "reason"),
    [
        (ALICE, claim_msg(ALICE, 0, seed=7), TxCode.UNAUTHORIZED, "does not match the committed seed"),
        (ALICE, claim_msg(BOB, 0), TxCode.UNAUTHORIZED, ""),  # creator is not the signer
        (ALICE, claim_msg(ALICE, 1), TxCode.NOT_FOUND, "no unclaimed settlement for epoch 1"),
        (ALICE, claim_msg(ALICE, 0, seed=-1), TxCode.INVALID_REQUEST, "non-negative"),
        (DEV, claim_msg(CAROL, 0), TxCode.UNAUTHORIZED, ""),  # CAROL has no account key here either
        (DEV, claim_msg(DEV, 0, seed=1), TxCode.NOT_FOUND, "no unclaimed settlement"),
    ],
)
def test_bad_claims_are_rejected_and_change_nothing(
    tmp_path: Path, signer: object, message: object, code: TxCode, reason: str
) -> None:
    node = epoch_zero(tmp_path, validated=True)
    result = rejected(node, signer, message)  # type: ignore[arg-type]
    assert result.code == code and reason in result.log, result.log
    assert submit(node, ALICE, claim_msg(ALICE, 0)).code == 0
    state = economy_state(node)
    again = rejected(node, ALICE, claim_msg(ALICE, 0))
    assert again.code == TxCode.NOT_FOUND and economy_state(node) == state


def test_no_seed_commit_means_nothing_to_claim(tmp_path: Path) -> None:
    genesis = inference_genesis((10, 10), epoch={"epoch_length": 60})
    node = Node(tmp_path / "node.db", genesis)
    results = node.run_blocks_until(E + 1)
    assert {e["address"] for e in events(results, "settlement")} == {ALICE.address, BOB.address}
    result = rejected(node, ALICE, claim_msg(ALICE, 0))
    assert result.code == TxCode.UNAUTHORIZED and "no seed was committed for epoch 0" in result.log
