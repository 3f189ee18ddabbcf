"""Reputation (reference §6) from settled epochs with misses, and its restart at 0 after cheating
(mission addition). Devnet clock; the summaries of epoch N−1 count when group N forms."""

from pathlib import Path

import pytest

from node.core.reputation import reputation_score

from .economy_helpers import events, group, host_node, run_poc, submit
from .harness import ALICE, BOB, CAROL, Node
from .inference_helpers import PRICE, Request

MAX, CUTOFF, PENALTY = 30, 10_000, 1_000_000  # epochs_to_max, miss cutoff 0.01, penalty 1.0


@pytest.mark.parametrize(
    ("epochs", "score"),
    [
        ([], 0),
        ([(0, 0)], 3),  # floor(100 · 1/30)
        ([(5, 0)] * 15, 50),
        ([(5, 0)] * 30, 100),  # actual = 30: 100 · 30/30
        ([(5, 0)] * 31, 100),  # above epochs_to_max
        ([(10, 5)] * 2 + [(10, 0)] * 8, 30),  # two epochs at m = 0.5: penalty 1.0, actual 9
        ([(100, 1)] * 3, 10),  # m = 0.01 is not above the cutoff
        ([(100, 2)] * 3, 9),  # m = 0.02: penalty 0.06, actual 2.94 → floor(9.8)
        ([(0, 7)] * 3, 10),  # no inferences: m = 0 (the reference's rule)
        ([(1, 1)], 0),  # m = 1: actual 0
        ([(1, 3)], 0),  # m = 3: actual < 0
    ],
)
def test_reputation_from_epochs(epochs: list[tuple[int, int]], score: int) -> None:
    assert reputation_score(epochs, MAX, CUTOFF, PENALTY) == score


def reputations(node: Node, epoch: int) -> dict[str, int]:
    return {address: member["reputation"] for address, member in group(node, epoch).items()}


def test_reputation_grows_per_epoch_minus_misses_and_restarts_after_cheating(tmp_path: Path) -> None:
    node = host_node(tmp_path, epoch={"epoch_length": 40}, pricing={"min_per_token_price": PRICE})
    # Epoch 0: BOB finishes one inference and misses another (it expires): m = 1/1.
    done = Request(executor=BOB, timestamp_ns=1)
    assert submit(node, ALICE, done.start()).code == 0
    assert submit(node, BOB, done.finish()).code == 0
    assert submit(node, ALICE, Request(executor=BOB, timestamp_ns=2).start()).code == 0
    everyone = {ALICE: 10, BOB: 10, CAROL: 10}
    run_poc(node, everyone)
    assert reputations(node, 1) == {ALICE.address: 3, BOB.address: 0, CAROL.address: 3}
    run_poc(node, everyone)
    assert reputations(node, 2) == {ALICE.address: 6, BOB.address: 3, CAROL.address: 6}
    assert node.app.query("participant", {"address": ALICE.address})["reputation"] == 3  # group 2 not effective yet
    node.run_block()
    assert node.app.query("participant", {"address": ALICE.address})["reputation"] == 6
    # PoC 3: ALICE and BOB (20 of 30) report CAROL's batches as fraud: a cheater in epoch 2.
    fraud = {voter: {ALICE: False, BOB: False, CAROL: True} for voter in (ALICE, BOB)}
    results = run_poc(node, everyone, votes=fraud)
    assert events(results, "cheater_marked") == [{"address": CAROL.address, "epoch_index": "2", "reason": "poc fraud"}]
    assert reputations(node, 3) == {ALICE.address: 10, BOB.address: 6}
    members_vote = {voter: dict.fromkeys(everyone, False) for voter in (ALICE, BOB)}  # CAROL is no member now
    run_poc(node, everyone, votes=members_vote)  # CAROL's count restarts after epoch 2; it missed epoch 3
    assert reputations(node, 4) == {ALICE.address: 13, BOB.address: 10, CAROL.address: 0}
    run_poc(node, everyone)
    assert reputations(node, 5)[CAROL.address] == 3
