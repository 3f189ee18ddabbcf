"""An executor that becomes INVALID through real validations and votes is punished
(penalties.punish_invalid): collateral slashed 20%, weight and power 0, a cheater for the epoch —
so settlement forfeits its work coins and reward — and its reputation restarts at 0.
Four hosts of weight 10; devnet clock with epoch_length 60: P = 40, E = 49, S = 50."""

from pathlib import Path

from node.chain.app.abci import ValidatorUpdate
from node.chain.app.context import BlockContext
from node.chain.app.params.state import load_params
from node.chain.app.penalties import punish_invalid
from node.chain.store.overlay import Overlay
from node.chain.store.state_store import StateStore
from node.core.consensus_keys import ConsensusKey
from node.core.keys import AccountKey
from node.proto.gonka.validation_pb2 import MsgValidation

from .economy_helpers import deposit_msg, events, group, submit
from .harness import ALICE, BOB, CAROL, CHAIN_ID, DAVE, GNK, Node
from .inference_helpers import PRICE, Request, inference_genesis

FAIL = 500_000
BOB_KEY = ConsensusKey.from_seed(bytes([2]) * 32).public_key


def vote(node: Node, key: AccountKey, request: Request, revalidation: bool) -> list:  # type: ignore[type-arg]
    message = MsgValidation(
        creator=key.address, inference_id=request.inference_id, response_hash="cd" * 32, value_ppm=FAIL,
        revalidation=revalidation,
    )
    result = node.run_block([node.sign(key, message)])
    assert result.tx_results[0].code == 0, result.tx_results[0].log
    return [result]


def make_bob_invalid(node: Node) -> list:  # type: ignore[type-arg]
    """Five inferences by BOB, each failed by ALICE and invalidated by CAROL's and DAVE's votes."""
    results = []
    for n in range(5):
        request = Request(timestamp_ns=n + 1)
        assert submit(node, ALICE, request.start()).code == 0
        assert submit(node, BOB, request.finish(prompt_tokens=20, completion_tokens=30)).code == 0
        results += vote(node, ALICE, request, revalidation=False)
        results += vote(node, CAROL, request, revalidation=True)
        results += vote(node, DAVE, request, revalidation=True)
    return results


def test_invalid_executor_is_slashed_zeroed_and_forfeits_the_epoch(tmp_path: Path) -> None:
    genesis = inference_genesis(epoch={"epoch_length": 60}, pricing={"min_per_token_price": PRICE})
    node = Node(tmp_path / "node.db", genesis)
    assert submit(node, BOB, deposit_msg(BOB, 10 * GNK)).code == 0
    results = make_bob_invalid(node)
    assert node.height < 40  # all of it in epoch 0
    assert events(results, "slashed") == [
        {"address": BOB.address, "amount": str(2 * GNK), "reason": "invalid", "fraction_ppm": "200000"}
    ]
    assert events(results, "cheater_marked")[0]["epoch_index"] == "0"
    assert (BOB_KEY, 0) in [(u.public_key, u.power) for r in results for u in r.validator_updates]
    bob = node.app.query("participant", {"address": BOB.address})
    assert (bob["status"], bob["weight"], bob["voting_power"], bob["collateral"]) == ("INVALID", 0, 0, 8 * GNK)
    assert node.app.query("epoch_group", {})["total_weight"] == 30

    # Idempotent: punishing again changes nothing and reports nothing.
    kv = Overlay(StateStore(node.db))
    ctx = BlockContext(node.height + 1, 0, CHAIN_ID, load_params(kv))
    assert punish_invalid(ctx, kv, BOB.address, "again") == ([], [])
    assert kv.writes() == []

    # BOB still finishes one more inference, which passes: its share of the cost is owed, then forfeited.
    later = Request(timestamp_ns=99)
    assert submit(node, ALICE, later.start()).code == 0
    assert submit(node, BOB, later.finish(prompt_tokens=20, completion_tokens=30)).code == 0
    passing = MsgValidation(
        creator=ALICE.address, inference_id=later.inference_id, response_hash="cd" * 32, value_ppm=995_000
    )
    assert submit(node, ALICE, passing).code == 0
    burned = node.app.query("supply", {})["burned"]
    settlement = node.run_blocks_until(49)
    forfeited = [e for e in events(settlement, "forfeited") if e["address"] == BOB.address]
    work = 50 * PRICE // 2  # the pass re-split the cost between BOB and ALICE
    assert forfeited == [{"address": BOB.address, "epoch_index": "0", "amount": str(work), "reason": "cheater"}]
    assert node.app.query("supply", {})["burned"] - burned == work
    rewards = {e["address"]: int(e["reward_coins"]) for e in events(settlement, "settlement")}
    assert set(rewards) == {ALICE.address, CAROL.address, DAVE.address}  # the reward split among the other three
    assert sum(rewards.values()) == 1000 * GNK
    summary = node.app.query("settlement", {"address": BOB.address, "epoch": 0})["epochs"]
    assert [(s["forfeited"], s["reward_coins"]) for s in summary] == [(True, 0)]
    assert BOB.address not in group(node, 1)  # nobody did PoC: the group carried over, without BOB
    switch = node.run_block()
    assert ValidatorUpdate(BOB_KEY, 0) not in switch.validator_updates  # already out since the punishment
