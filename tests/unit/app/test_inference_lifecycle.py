"""Start/Finish in either order: escrow, payment, refund, expiry, queries (reference protocol.md §4)."""

from pathlib import Path

import pytest

from node.chain.app.queries import QueryError
from node.core.errors import TxCode
from node.core.inference_signing import sign_request
from node.core.keys import AccountKey

from .harness import ALICE, BOB, CAROL, Node
from .inference_helpers import (
    DEV,
    DEV_FUNDS,
    POOR,
    PRICE,
    Request,
    events_of,
    inference,
    make_node,
    module_balance,
    submit,
    work,
)


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return make_node(tmp_path)


def test_start_then_finish_escrows_pays_and_refunds(node: Node) -> None:
    request = Request()
    prompt_chars = len(request.prompt)
    result = submit(node, ALICE, request.start(max_tokens=100))
    assert result.code == 0, result.log
    escrow = (100 + prompt_chars) * PRICE
    assert events_of(result, "inference_started")[0]["escrow"] == str(escrow)
    assert node.balance(DEV) == DEV_FUNDS - escrow
    assert module_balance(node) == escrow
    assert inference(node, request)["status"] == "STARTED"

    result = submit(node, BOB, request.finish(prompt_tokens=20, completion_tokens=30))
    assert result.code == 0, result.log
    actual = (20 + 30) * PRICE
    finished = events_of(result, "inference_finished")[0]
    assert finished == {
        "inference_id": request.inference_id,
        "executor": BOB.address,
        "requested_by": DEV.address,
        "transferred_by": ALICE.address,
        "model": request.start().model,
        "epoch": "0",
        "traffic_basis": "1",
        "executor_power": "10",
        "executor_reputation": "0",
        "total_power": "40",
        "prompt_token_count": "20",
        "completion_token_count": "30",
        "per_token_price": str(PRICE),
        "actual_cost": str(actual),
        "refund": str(escrow - actual),
        "height": str(node.height),
    }
    assert node.balance(DEV) == DEV_FUNDS - actual
    assert module_balance(node) == actual
    record = inference(node, request)
    assert (record["status"], record["actual_cost"], record["escrow"]) == ("FINISHED", actual, escrow)
    executor = work(node, BOB)
    assert (executor["owed"], executor["inference_count"], executor["epoch_inference_count"]) == (actual, 1, 1)


def test_default_max_tokens_escrow_matches_testermint(node: Node) -> None:
    """testermint: debit == (max_tokens or 5000 + prompt chars) * price."""
    request = Request()
    assert submit(node, ALICE, request.start(max_tokens=0)).code == 0
    assert node.balance(DEV) == DEV_FUNDS - (5000 + len(request.prompt)) * PRICE
    assert inference(node, request)["max_tokens"] == 5000


def test_finish_before_start(node: Node) -> None:
    request = Request()
    result = submit(node, BOB, request.finish(prompt_tokens=20, completion_tokens=30))
    assert result.code == 0, result.log
    assert not events_of(result, "inference_finished")  # waits for the Start
    escrow = (5000 + 20) * PRICE  # no max_tokens yet: the default, plus the Finish's prompt tokens
    assert node.balance(DEV) == DEV_FUNDS - escrow
    record = inference(node, request)
    assert (record["status"], record["completed_height"], record["escrow"]) == ("FINISHED", 0, escrow)

    result = submit(node, ALICE, request.start(max_tokens=100))
    assert result.code == 0, result.log
    assert len(events_of(result, "inference_finished")) == 1
    actual = 50 * PRICE
    assert node.balance(DEV) == DEV_FUNDS - actual
    assert module_balance(node) == actual
    assert work(node, BOB)["owed"] == actual
    assert inference(node, request)["escrow"] == escrow  # locked by the first message


def test_executor_is_paid_at_most_the_escrow(node: Node) -> None:
    request = Request()
    submit(node, ALICE, request.start(max_tokens=10, prompt_token_count=5))
    escrow = 15 * PRICE
    assert submit(node, BOB, request.finish(prompt_tokens=5, completion_tokens=500)).code == 0
    assert work(node, BOB)["owed"] == escrow
    assert node.balance(DEV) == DEV_FUNDS - escrow
    assert inference(node, request)["actual_cost"] == escrow


def test_expiry_refunds_and_counts_a_missed_request(node: Node) -> None:
    request = Request()
    submit(node, ALICE, request.start())
    started = node.height
    expires = inference(node, request)["expires_at_height"]
    assert expires == started + 10  # devnet expiration_blocks
    node.run_blocks_until(expires)
    assert inference(node, request)["status"] == "STARTED"  # a Finish in the expiry block would still count
    result = node.run_block()
    assert [e["inference_id"] for e in _block_events(result, "inference_expired")] == [request.inference_id]
    assert inference(node, request)["status"] == "EXPIRED"
    assert node.balance(DEV) == DEV_FUNDS
    assert module_balance(node) == 0
    executor = work(node, BOB)
    assert (executor["missed_requests"], executor["epoch_missed_requests"], executor["owed"]) == (1, 1, 0)

    before = _snapshot(node, request)
    late = submit(node, BOB, request.finish())
    assert late.code == TxCode.INVALID_REQUEST and "expired" in late.log
    assert _snapshot(node, request) == before


def test_finish_in_the_expiry_block_still_counts(node: Node) -> None:
    request = Request()
    submit(node, ALICE, request.start())
    node.run_blocks_until(inference(node, request)["expires_at_height"] - 1)
    assert submit(node, BOB, request.finish()).code == 0  # lands at the expiry height
    node.run_block()
    assert inference(node, request)["status"] == "FINISHED"


def test_finish_without_start_expires_without_a_missed_request(node: Node) -> None:
    request = Request()
    submit(node, BOB, request.finish())
    node.run_blocks_until(inference(node, request)["expires_at_height"] + 1)
    assert inference(node, request)["status"] == "EXPIRED"
    assert node.balance(DEV) == DEV_FUNDS
    assert work(node, BOB)["missed_requests"] == 0
    late = submit(node, ALICE, request.start())
    assert late.code == TxCode.INVALID_REQUEST and "expired" in late.log


def _block_events(result: object, kind: str) -> list[dict[str, str]]:
    return [dict(e.attributes) for e in result.events if e.type == kind]  # type: ignore[attr-defined]


def _snapshot(node: Node, request: Request) -> tuple[object, ...]:
    try:
        record = inference(node, request)
    except QueryError:
        record = None
    balances = tuple(node.balance(key) for key in (DEV, ALICE, BOB, CAROL))
    return record, balances, module_balance(node), work(node, BOB)


def test_module_balance_is_escrow_plus_owed(node: Node) -> None:
    open_request = Request(timestamp_ns=1)
    done = Request(timestamp_ns=2)
    submit(node, ALICE, open_request.start(max_tokens=7))
    submit(node, ALICE, done.start())
    submit(node, BOB, done.finish())
    escrow = inference(node, open_request)["escrow"]
    assert module_balance(node) == escrow + work(node, BOB)["owed"]


def test_queries(node: Node) -> None:
    first, second = Request(timestamp_ns=1), Request(timestamp_ns=2, executor=CAROL)
    submit(node, ALICE, first.start())
    submit(node, BOB, first.finish())
    submit(node, ALICE, second.start())
    listed = node.app.query("inferences", {})["inferences"]
    assert sorted(i["inference_id"] for i in listed) == sorted([first.inference_id, second.inference_id])
    assert "original_prompt" in listed[0] and listed[0]["original_prompt"] == ""  # payloads left out of lists
    by_status = node.app.query("inferences", {"status": "STARTED"})["inferences"]
    assert [i["inference_id"] for i in by_status] == [second.inference_id]
    by_executor = node.app.query("inferences", {"executor": BOB.address})["inferences"]
    assert [i["inference_id"] for i in by_executor] == [first.inference_id]
    by_epoch = node.app.query("inferences", {"epoch": 0, "limit": 5})["inferences"]
    assert [i["inference_id"] for i in by_epoch] == [first.inference_id]  # completed ones only
    assert len(node.app.query("inferences", {"limit": 1})["inferences"]) == 1
    full = inference(node, first)
    assert full["original_prompt"] == first.prompt and full["validations"] == [] and full["vote"] is None
    price = node.app.query("price", {"model": first.start().model})
    assert price["per_token_price"] == PRICE and price["grace_period"] is False
    for path, params in (
        ("inference", {"inference_id": "nope"}),
        ("price", {"model": "unknown"}),
    ):
        with pytest.raises(QueryError) as missing:
            node.app.query(path, params)
        assert missing.value.code == "not_found"
    for params in ({"status": "DONE"}, {"limit": 0}, {"epoch": -1}, {"executor": "x"}, {"other": 1}):
        with pytest.raises(QueryError) as bad:
            node.app.query("inferences", params)
        assert bad.value.code == "invalid_argument"


# -- bad input: rejected with a clear reason, nothing changes ---------------------------------


@pytest.mark.parametrize(
    ("name", "code", "reason"),
    [
        ("bad developer signature", TxCode.UNAUTHORIZED, "developer signature"),
        ("bad TA signature", TxCode.UNAUTHORIZED, "TA signature"),
        ("bad executor signature", TxCode.UNAUTHORIZED, "executor signature"),
        ("duplicate start", TxCode.CONFLICT, "duplicate Start"),
        ("duplicate finish", TxCode.CONFLICT, "duplicate Finish"),
        ("finish by another host", TxCode.UNAUTHORIZED, "is assigned to"),
        ("finish naming another executor", TxCode.UNAUTHORIZED, "executed_by"),
        ("insufficient balance", TxCode.INSUFFICIENT_FUNDS, "needs"),
        ("developer without key", TxCode.UNKNOWN_ADDRESS, "no public key"),
        ("unregistered model", TxCode.INVALID_REQUEST, "model registry"),
        ("non-canonical id", TxCode.INVALID_REQUEST, "canonical base64"),
        ("finish disagrees with start", TxCode.INVALID_REQUEST, "model differs"),
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(node: Node, name: str, code: TxCode, reason: str) -> None:
    request = Request()
    signer, message = ALICE, request.start()
    if name == "bad developer signature":
        message = request.start(inference_id=sign_request(CAROL, request.prompt, request.timestamp_ns, ALICE.address))
    elif name == "bad TA signature":
        message = request.start(transfer_signature=Request(ta=CAROL).ta_signature())
    elif name == "bad executor signature":
        signer, message = BOB, request.finish(executor_signature=Request(executor=CAROL).ta_signature())
    elif name == "duplicate start":
        submit(node, ALICE, request.start())
    elif name == "duplicate finish":
        submit(node, BOB, request.finish())
        signer, message = BOB, request.finish()
    elif name == "finish by another host":
        submit(node, ALICE, request.start())
        signer, message = CAROL, Request(executor=CAROL).finish()
    elif name == "finish naming another executor":
        signer, message = CAROL, request.finish(creator=CAROL.address)
    elif name == "insufficient balance":
        message = Request(dev=POOR).start()
    elif name == "developer without key":
        message = Request(dev=AccountKey.from_private_hex(f"{77:064x}")).start()
    elif name == "unregistered model":
        message = request.start(model="not-a-model")
    elif name == "non-canonical id":
        message = request.start(inference_id=request.inference_id.rstrip("="))
    elif name == "finish disagrees with start":
        submit(node, ALICE, request.start())
        signer, message = BOB, request.finish(model="another-model")  # the model is not signed
    before = _snapshot(node, request)
    assert node.app.check_tx(node.sign(signer, message)).code == code
    result = submit(node, signer, message)
    assert result.code == code and reason in result.log, result.log
    assert _snapshot(node, request) == before
