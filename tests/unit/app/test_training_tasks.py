"""Training tasks in the app: escrow, weight-drawn workers, commits, power-weighted verdicts,
payouts only after verification, forfeits and reputation loss, escrow closing at zero, timeouts
and rejected specs. Hosts ALICE..DAVE weigh 10 each; DEV is the developer."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from node.chain.app.abci import FinalizeResult
from node.chain.app.training.assign import draw_weighted
from node.chain.app.training.state import ESCROW_ACCOUNT
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.proto.gonka.training_tasks_pb2 import (
    MsgCommitTrainingStep,
    MsgCreateTrainingTask,
    MsgJoinTrainingTask,
    MsgStopTrainingTask,
    MsgSubmitTrainingValidation,
    MsgTrainingHeartbeat,
    SegmentCheck,
    StepCommitment,
    TaskSpec,
)

from .economy_helpers import events, group, submit
from .harness import ALICE, BOB, CAROL, DAVE, GNK, Node
from .inference_helpers import DEV, PINNED, inference_genesis

HOSTS = (ALICE, BOB, CAROL, DAVE)
H, T, SEGMENT = 4, 2, 2
BUDGET = 8 * GNK  # 4 workers x 2 steps: 1 GNK per worker-step


def spec(**fields: Any) -> TaskSpec:
    values: dict[str, Any] = dict(
        model="tiny-llama",
        dataset="kjv-pentateuch",
        inner_steps=H,
        outer_steps=T,
        min_workers=3,
        max_workers=4,
        batch_size=4,
        seq_len=32,
        seed=7,
        inner_lr_micro=3000,
        segment_steps=SEGMENT,
    )
    return TaskSpec(**(values | fields))


def h(tag: str) -> str:
    return "sha256:" + hashlib.sha256(tag.encode()).hexdigest()


def commit(key: AccountKey, task_id: int, step: int, **fields: Any) -> MsgCommitTrainingStep:
    values: dict[str, Any] = dict(
        task_id=task_id,
        outer_step=step,
        start_params_hash=h(f"start{step}"),
        snapshot_hashes=[h(f"{key.address}{step}{i}") for i in range(H // SEGMENT + 1)],
        pseudo_gradient_hash=h(f"pg{key.address}{step}"),
        losses_micro=[5_000_000 - i for i in range(H)],
    )
    return MsgCommitTrainingStep(creator=key.address, commitment=StepCommitment(**(values | fields)))


def vote(validator: AccountKey, worker: AccountKey, task_id: int, passed: bool) -> MsgSubmitTrainingValidation:
    check = SegmentCheck(outer_step=0, segment=1, loss_error_ppm=0 if passed else 400_000)
    return MsgSubmitTrainingValidation(
        creator=validator.address, task_id=task_id, worker=worker.address, passed=passed, checks=[check]
    )


def ok(node: Node, key: AccountKey, *messages: Any) -> FinalizeResult:
    result = node.run_block([node.sign(key, *messages)])
    assert result.tx_results[0].code == 0, result.tx_results[0].log
    return result


def task(node: Node, task_id: int = 1) -> dict[str, Any]:
    return node.app.query("training_task", {"task_id": task_id})


def escrow(node: Node) -> int:
    amount: int = node.app.query("balance", {"address": ESCROW_ACCOUNT})["amount"]
    return amount


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return Node(tmp_path / "node.db", inference_genesis((10, 10, 10, 10), **PINNED))


def create_and_train(node: Node) -> None:
    """Task 1 with every host joined and both outer steps committed by all."""
    ok(node, DEV, MsgCreateTrainingTask(creator=DEV.address, spec=spec(), budget=BUDGET))
    for key in HOSTS:
        ok(node, key, MsgJoinTrainingTask(creator=key.address, task_id=1))
    for step in range(T):
        for key in HOSTS:
            ok(node, key, commit(key, 1, step))


def test_create_escrows_the_budget_and_draws_every_weighted_host(node: Node) -> None:
    start = node.balance(DEV)
    result = ok(node, DEV, MsgCreateTrainingTask(creator=DEV.address, spec=spec(), budget=BUDGET))
    created = events(result, "training_task_created")[0]
    assert created["payment_per_step"] == str(GNK)
    assert node.balance(DEV) == start - BUDGET and escrow(node) == BUDGET
    info = task(node)
    assert info["status"] == "OPEN" and info["escrow"] == BUDGET
    assert sorted(info["assignees"]) == sorted(key.address for key in HOSTS)


def test_full_lifecycle_pays_verified_workers_forfeits_the_caught_one_and_closes_at_zero(node: Node) -> None:
    create_and_train(node)
    info = task(node)
    assert info["status"] == "VALIDATING" and info["challenge_seed"]
    # BOB and CAROL vote: ALICE needs > 15 of the 30 weight that may judge her.
    ok(node, BOB, vote(BOB, ALICE, 1, True))
    before = node.balance(ALICE)
    paid = ok(node, CAROL, vote(CAROL, ALICE, 1, True))
    assert events(paid, "training_worker_verified") == [
        {"task_id": "1", "worker": ALICE.address, "paid": str(2 * GNK)}
    ]
    assert node.balance(ALICE) == before + 2 * GNK
    for worker, validators in ((BOB, (ALICE, CAROL)), (CAROL, (ALICE, DAVE))):
        for validator in validators:
            ok(node, validator, vote(validator, worker, 1, True))
    # DAVE is lazy: two fail votes catch him; he is unpaid and loses his reputation.
    ok(node, ALICE, vote(ALICE, DAVE, 1, False))
    dave_before = node.balance(DAVE)
    caught = ok(node, BOB, vote(BOB, DAVE, 1, False))
    assert [e["worker"] for e in events(caught, "training_worker_caught")] == [DAVE.address]
    assert events(caught, "cheater_marked")[0]["address"] == DAVE.address
    closed = events(caught, "training_task_closed")[0]
    assert closed == {
        "task_id": "1",
        "status": "SETTLED",
        "paid": str(6 * GNK),
        "refunded": str(2 * GNK),
        "forfeited": str(2 * GNK),
        "escrow": "0",
    }
    assert node.balance(DAVE) == dave_before and escrow(node) == 0
    assert group(node)[DAVE.address]["reputation"] == 0
    statuses = {w["address"]: w["status"] for w in task(node)["workers"]}
    assert statuses == {key.address: "VERIFIED" for key in (ALICE, BOB, CAROL)} | {DAVE.address: "CAUGHT"}


def test_unjudged_workers_are_unpaid_and_refunded_at_the_deadline(node: Node) -> None:
    create_and_train(node)
    ok(node, BOB, vote(BOB, ALICE, 1, True))
    ok(node, CAROL, vote(CAROL, ALICE, 1, True))
    start = node.balance(DEV)
    deadline = task(node)["validation_deadline"]
    results = node.run_blocks_until(deadline + 1)
    assert len(events(results, "training_worker_unverified")) == 3
    info = task(node)
    assert (info["status"], info["paid"], info["escrow"]) == ("SETTLED", 2 * GNK, 0)
    assert node.balance(DEV) == start + 6 * GNK and escrow(node) == 0


def test_silent_worker_is_dropped_may_rejoin_and_training_ends_without_it(node: Node) -> None:
    ok(node, DEV, MsgCreateTrainingTask(creator=DEV.address, spec=spec(outer_steps=1), budget=BUDGET))
    for key in HOSTS:
        ok(node, key, MsgJoinTrainingTask(creator=key.address, task_id=1))
    assert task(node)["status"] == "TRAINING"
    timeout = node.app.query("params", {})["training"]["heartbeat_timeout_blocks"]
    for _ in range(timeout // 3 + 1):  # ALICE..CAROL keep beating, DAVE is silent
        node.run_block([node.sign(k, MsgTrainingHeartbeat(creator=k.address, task_id=1)) for k in HOSTS[:3]])
        node.run_blocks_until(node.height + 2)
    assert {w["address"]: w["status"] for w in task(node)["workers"]}[DAVE.address] == "DROPPED"
    refused = submit(node, DAVE, MsgTrainingHeartbeat(creator=DAVE.address, task_id=1))
    assert refused.code == TxCode.INVALID_REQUEST and "rejoin" in refused.log
    rejoined = ok(node, DAVE, MsgJoinTrainingTask(creator=DAVE.address, task_id=1))
    assert events(rejoined, "training_worker_joined")[0]["rejoin"] == "True"
    for key in HOSTS[:3]:
        ok(node, key, commit(key, 1, 0))
    assert task(node)["status"] == "TRAINING"  # DAVE is active again and has not committed
    ok(node, DAVE, commit(DAVE, 1, 0))
    assert task(node)["status"] == "VALIDATING"


def test_stop_before_training_refunds_everything(node: Node) -> None:
    start = node.balance(DEV)
    ok(node, DEV, MsgCreateTrainingTask(creator=DEV.address, spec=spec(), budget=BUDGET))
    refused = submit(node, ALICE, MsgStopTrainingTask(creator=ALICE.address, task_id=1))
    assert refused.code == TxCode.UNAUTHORIZED
    ok(node, DEV, MsgStopTrainingTask(creator=DEV.address, task_id=1))
    assert task(node)["status"] == "CANCELLED" and node.balance(DEV) == start and escrow(node) == 0


@pytest.mark.parametrize(
    ("fields", "budget", "code", "reason"),
    [
        ({"model": "gpt-9"}, BUDGET, TxCode.INVALID_REQUEST, "unknown model 'gpt-9'"),
        ({"dataset": "web"}, BUDGET, TxCode.INVALID_REQUEST, "unknown dataset 'web'"),
        ({}, 7999, TxCode.INSUFFICIENT_FUNDS, "budget too small: 7999 ngonka < max_workers 4 x outer_steps 2"),
        ({"inner_steps": 1, "segment_steps": 1}, BUDGET, TxCode.INVALID_REQUEST, "inner_steps (H) must be in [2, "),
        ({"inner_steps": 2000}, BUDGET, TxCode.INVALID_REQUEST, "inner_steps (H) must be in [2, 1000]"),
        ({"segment_steps": 3}, BUDGET, TxCode.INVALID_REQUEST, "segment_steps (3) must be positive and divide"),
        ({"min_workers": 5, "max_workers": 4}, BUDGET, TxCode.INVALID_REQUEST, "min_workers <= max_workers"),
        ({"max_workers": 8, "min_workers": 5}, 16 * GNK, TxCode.INVALID_REQUEST, "only 4 hosts have weight"),
    ],
)
def test_bad_specs_are_rejected_with_a_reason_and_change_nothing(
    node: Node, fields: dict[str, Any], budget: int, code: TxCode, reason: str
) -> None:
    start = node.balance(DEV)
    result = submit(node, DEV, MsgCreateTrainingTask(creator=DEV.address, spec=spec(**fields), budget=budget))
    assert result.code == code and reason in result.log, result.log
    assert node.balance(DEV) == start and node.app.query("training_tasks", {}) == {"tasks": []}


def test_only_assignees_join_and_commits_are_checked(node: Node) -> None:
    ok(node, DEV, MsgCreateTrainingTask(creator=DEV.address, spec=spec(max_workers=3), budget=BUDGET))
    assignees = task(node)["assignees"]
    outsider = next(k for k in HOSTS if k.address not in assignees)
    refused = submit(node, outsider, MsgJoinTrainingTask(creator=outsider.address, task_id=1))
    assert refused.code == TxCode.UNAUTHORIZED
    keys = [k for k in HOSTS if k.address in assignees]
    for key in keys:
        ok(node, key, MsgJoinTrainingTask(creator=key.address, task_id=1))
    worker = keys[0]
    short = submit(node, worker, commit(worker, 1, 0, losses_micro=[1]))
    assert short.code == TxCode.INVALID_REQUEST and "losses_micro must hold 4" in short.log
    bad_hash = submit(node, worker, commit(worker, 1, 0, pseudo_gradient_hash="md5:00"))
    assert bad_hash.code == TxCode.INVALID_REQUEST
    ok(node, worker, commit(worker, 1, 0))
    assert submit(node, worker, commit(worker, 1, 0)).code == TxCode.CONFLICT
    early = submit(node, keys[1], vote(keys[1], worker, 1, True))
    assert early.code == TxCode.INVALID_REQUEST and "TRAINING, not VALIDATING" in early.log


def test_weighted_draw_follows_weight() -> None:
    members = [("a", 1), ("b", 3), ("c", 0)]
    firsts = [draw_weighted(members, 1, i.to_bytes(4, "big"))[0] for i in range(400)]
    assert "c" not in firsts
    assert 0.65 < firsts.count("b") / len(firsts) < 0.85
    assert sorted(draw_weighted(members, 5, b"x")) == ["a", "b"]


def test_a_task_that_never_gets_its_workers_is_cancelled_and_refunded(tmp_path: Path) -> None:
    node = Node(tmp_path / "node.db", inference_genesis((10, 10, 10, 10), **PINNED, training={"open_timeout_blocks": 3}))
    start = node.balance(DEV)
    ok(node, DEV, MsgCreateTrainingTask(creator=DEV.address, spec=spec(), budget=BUDGET))
    ok(node, ALICE, MsgJoinTrainingTask(creator=ALICE.address, task_id=1))  # 1 of min 3
    closed = events(node.run_blocks_until(node.height + 4), "training_task_closed")
    assert [(c["status"], c["refunded"], c["escrow"]) for c in closed] == [("CANCELLED", str(BUDGET), "0")]
    assert node.balance(DEV) == start and task(node)["end_reason"] == "not enough workers joined in time"
