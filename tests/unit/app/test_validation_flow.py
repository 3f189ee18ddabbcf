"""MsgValidation on chain: pass and re-split, invalidation voting, executor status, claim-time duty.

Four hosts of weight 10 (total 40); BOB executes, ALICE/CAROL/DAVE validate.
The devnet model's threshold is 0.85: value 0.9 passes, 0.5 fails.
"""

from pathlib import Path

import pytest

from node.chain.app.abci import FinalizeResult
from node.chain.app.params.state import load_params
from node.chain.app.validation.state import required_validations_missing
from node.chain.store.state_store import StateStore
from node.core.consensus_keys import ConsensusKey
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.core.validation_policy import FinishedInference, should_validate
from node.proto.gonka.validation_pb2 import MsgValidation, ValidationParams

from .harness import ALICE, BOB, CAROL, DAVE, Node, decode_block
from .inference_helpers import (
    DEV,
    DEV_FUNDS,
    PINNED,
    PRICE,
    Request,
    events_of,
    inference,
    inference_genesis,
    make_node,
    module_balance,
    submit,
    work,
)

PASS, FAIL = 995_000, 500_000  # around the devnet threshold of 0.99
COST = 50 * PRICE  # 20 prompt + 30 completion tokens


@pytest.fixture
def node(tmp_path: Path) -> Node:
    return make_node(tmp_path)


def complete(node: Node, request: Request) -> dict[str, str]:
    """Start and Finish; returns the inference_finished event's attributes."""
    assert submit(node, request.ta, request.start()).code == 0
    result = submit(node, request.executor, request.finish(prompt_tokens=20, completion_tokens=30))
    assert result.code == 0, result.log
    return events_of(result, "inference_finished")[0]


def validation(key: AccountKey, request: Request, value: int, revalidation: bool = False) -> MsgValidation:
    return MsgValidation(
        creator=key.address,
        inference_id=request.inference_id,
        response_hash="cd" * 32,
        value_ppm=value,
        revalidation=revalidation,
    )


def validate(node: Node, key: AccountKey, request: Request, value: int, revalidation: bool = False) -> FinalizeResult:
    result = node.run_block([node.sign(key, validation(key, request, value, revalidation))])
    assert result.tx_results[0].code == 0, result.tx_results[0].log
    return result


def owed(node: Node, *keys: AccountKey) -> list[int]:
    return [work(node, key)["owed"] for key in keys]


def test_passes_validate_and_resplit_the_cost(node: Node) -> None:
    request = Request()
    complete(node, request)
    result = validate(node, CAROL, request, PASS)
    summary = events_of(result.tx_results[0], "inference_validation")[0]
    assert (summary["passed"], summary["needs_revalidation"], summary["status"]) == ("True", "False", "VALIDATED")
    assert owed(node, BOB, CAROL) == [COST // 2, COST // 2]
    validate(node, DAVE, request, PASS)
    # 50000 / 3 = 16666 rest 2: the remainder stays with the executor
    assert owed(node, BOB, CAROL, DAVE) == [16_668, 16_666, 16_666]
    record = inference(node, request)
    assert record["status"] == "VALIDATED"
    assert [(s["address"], s["amount"]) for s in record["shares"]] == [
        (BOB.address, 16_668),
        (CAROL.address, 16_666),
        (DAVE.address, 16_666),
    ]
    assert [v["validator"] for v in record["validations"]] == sorted([CAROL.address, DAVE.address])
    assert module_balance(node) == COST  # still all owed, only split differently
    executor = work(node, BOB)
    assert (executor["validated_inferences"], executor["status"]) == (1, "RAMPING")  # counted once per inference


def test_lone_bad_validator_is_outvoted(node: Node) -> None:
    request = Request()
    complete(node, request)
    result = validate(node, CAROL, request, FAIL)
    summary = events_of(result.tx_results[0], "inference_validation")[0]
    assert (summary["passed"], summary["needs_revalidation"], summary["status"]) == ("False", "True", "VOTING")
    assert inference(node, request)["vote"]["invalidate_power"] == 10
    validate(node, ALICE, request, PASS, revalidation=True)
    validate(node, DAVE, request, PASS, revalidation=True)
    assert inference(node, request)["status"] == "VOTING"  # 20 of 40 is not more than half
    result = validate(node, BOB, request, PASS, revalidation=True)  # the executor votes too, as in the reference
    assert events_of(result.tx_results[0], "invalidation_vote_closed")[0]["outcome"] == "revalidated"
    record = inference(node, request)
    assert record["status"] == "VALIDATED"
    assert (record["vote"]["revalidate_power"], record["vote"]["outcome"]) == (30, "revalidated")
    assert owed(node, BOB, CAROL) == [COST, 0]  # the failing validator earns nothing
    executor = work(node, BOB)
    assert (executor["validated_inferences"], executor["consecutive_invalid_inferences"]) == (1, 0)


def test_majority_invalidates_and_the_cost_goes_back(node: Node) -> None:
    request = Request()
    complete(node, request)
    validate(node, ALICE, request, PASS)  # ALICE earned half before the others found it bad
    assert owed(node, BOB, ALICE) == [COST // 2, COST // 2]
    validate(node, CAROL, request, FAIL)
    validate(node, DAVE, request, FAIL, revalidation=True)
    assert inference(node, request)["status"] == "VOTING"  # 20 of 40
    result = validate(node, ALICE, request, FAIL, revalidation=True)
    invalidated = events_of(result.tx_results[0], "inference_invalidated")[0]
    assert invalidated["refund"] == str(COST)
    assert inference(node, request)["status"] == "INVALIDATED"
    assert owed(node, BOB, ALICE) == [0, 0]
    assert node.balance(DEV) == DEV_FUNDS
    assert module_balance(node) == 0
    executor = work(node, BOB)
    assert (executor["invalidated_inferences"], executor["consecutive_invalid_inferences"]) == (1, 1)


def test_vote_without_majority_closes_at_its_deadline(node: Node) -> None:
    request = Request()
    complete(node, request)
    validate(node, CAROL, request, FAIL)
    deadline = inference(node, request)["vote"]["deadline_height"]
    assert deadline == node.height + 10  # devnet voting_period_blocks
    node.run_blocks_until(deadline)
    assert inference(node, request)["status"] == "VOTING"
    closing = node.run_block()
    assert ("invalidation_vote_closed", "no_majority") in [
        (e.type, dict(e.attributes).get("outcome")) for e in closing.events
    ]
    assert inference(node, request)["status"] == "VALIDATED"  # not invalidated ...
    assert work(node, BOB)["validated_inferences"] == 0  # ... but no pass counted either
    late = node.run_block([node.sign(DAVE, validation(DAVE, request, FAIL, revalidation=True))]).tx_results[0]
    assert late.code == TxCode.INVALID_REQUEST and "no open invalidation vote" in late.log
    # One vote per inference: a later fail is recorded (the validator's duty) but opens none.
    validate(node, DAVE, request, FAIL)
    record = inference(node, request)
    assert (record["status"], record["vote"]["outcome"]) == ("VALIDATED", "no_majority")
    assert DAVE.address in [v["validator"] for v in record["validations"] if not v["revalidation"]]


def test_five_consecutive_invalidations_make_the_executor_invalid(node: Node) -> None:
    bob_key = ConsensusKey.from_seed(bytes([2]) * 32).public_key  # BOB is host1 in inference_genesis
    for n in range(5):
        request = Request(timestamp_ns=n + 1)
        complete(node, request)
        validate(node, ALICE, request, FAIL)
        validate(node, CAROL, request, FAIL, revalidation=True)
        result = validate(node, DAVE, request, FAIL, revalidation=True)
        executor = work(node, BOB)
        assert executor["consecutive_invalid_inferences"] == n + 1
        if n < 4:
            assert executor["status"] == "RAMPING"
            assert result.validator_updates == ()
    assert executor["status"] == "INVALID"
    changed = events_of(result.tx_results[0], "executor_status_changed")[0]
    assert (changed["status"], changed["reason"]) == ("INVALID", "consecutive_invalid_inferences")
    assert (bob_key, 0) in [(u.public_key, u.power) for u in result.validator_updates]
    # Status is final: a later passing inference does not bring it back.
    request = Request(timestamp_ns=99)
    complete(node, request)
    validate(node, ALICE, request, PASS)
    assert work(node, BOB)["status"] == "INVALID"


@pytest.mark.parametrize(
    ("name", "code", "reason"),
    [
        ("unknown inference", TxCode.NOT_FOUND, "unknown inference"),
        ("not finished", TxCode.INVALID_REQUEST, "not finished"),
        ("own inference", TxCode.UNAUTHORIZED, "own inference"),
        ("duplicate", TxCode.CONFLICT, "already validated"),
        ("not a member", TxCode.UNAUTHORIZED, "no weight"),
        ("no vote open", TxCode.INVALID_REQUEST, "no open invalidation vote"),
        ("value above one", TxCode.INVALID_REQUEST, "value_ppm"),
    ],
)
def test_bad_validations_are_rejected_and_change_nothing(node: Node, name: str, code: TxCode, reason: str) -> None:
    request = Request()
    signer, message = CAROL, validation(CAROL, request, PASS)
    if name == "not finished":
        submit(node, ALICE, request.start())
    elif name != "unknown inference":
        complete(node, request)
    if name == "own inference":
        signer, message = BOB, validation(BOB, request, PASS)
    elif name == "duplicate":
        validate(node, CAROL, request, PASS)
    elif name == "not a member":
        signer, message = DEV, validation(DEV, request, PASS)
    elif name == "no vote open":
        message = validation(CAROL, request, FAIL, revalidation=True)
    elif name == "value above one":
        message = validation(CAROL, request, 1_000_001)
    before = _state(node, request)
    result = submit(node, signer, message)
    assert result.code == code and reason in result.log, result.log
    assert _state(node, request) == before


def _state(node: Node, request: Request) -> tuple[object, ...]:
    try:
        record = inference(node, request)
    except Exception:  # noqa: BLE001 - an unknown inference has no record
        record = None
    return record, owed(node, ALICE, BOB, CAROL, DAVE), module_balance(node), work(node, BOB)


def test_claim_time_duty_counts_missing_validations(tmp_path: Path) -> None:
    # Epoch 0 ends its duty at the validation cutoff: next PoC start 60 - 45 = height 15.
    overrides = PINNED | {"epoch": {"epoch_length": 60, "epoch_shift": 0, "inference_validation_cutoff": 45}}
    node = make_node(tmp_path, inference_genesis(**overrides))
    requests = [Request(timestamp_ns=n + 1) for n in range(4)] + [Request(timestamp_ns=9, executor=CAROL)]
    finished = [complete(node, request) for request in requests]
    late = Request(timestamp_ns=50)
    node.run_blocks_until(14)
    finished.append(complete(node, late))  # completes at height 16: after the cutoff
    params = _validation_params(node)
    # What an api node sees; the chain decides from its stored record, which must agree.
    views = [FinishedInference.from_event(attributes) for attributes in finished]

    def owed_by(seed: int) -> list[FinishedInference]:
        # reputation 0: target 1.0; CAROL holds 10 of the 30 non-executor weight, so p = 1/3 each
        return [view for view in views if should_validate(seed, CAROL.address, 10, view, params)]

    # The first seed that makes CAROL owe two pre-cutoff inferences and the late one.
    seed = next(s for s in range(10_000) if len(owed_by(s)) >= 3 and views[-1] in owed_by(s))
    assert views[-2] not in owed_by(seed)  # never one's own inference
    due = [view for view in owed_by(seed) if view is not views[-1]]
    validate(node, CAROL, requests[views.index(due[0])], PASS)
    with node.db.read():
        missing = required_validations_missing(StateStore(node.db), CAROL.address, 0, seed)
    assert missing == len(due) - 1  # the late one is past the cutoff, the validated one is done


def _validation_params(node: Node) -> ValidationParams:
    with node.db.read():
        return load_params(StateStore(node.db)).validation


def test_replaying_the_blocks_gives_the_same_app_hashes(tmp_path: Path) -> None:
    node = make_node(tmp_path)
    for n, bad in enumerate((False, True, True)):
        request = Request(timestamp_ns=n + 1)
        complete(node, request)
        validate(node, ALICE, request, FAIL if bad else PASS)
        if bad:
            validate(node, CAROL, request, FAIL, revalidation=True)
            validate(node, DAVE, request, FAIL if n == 2 else PASS, revalidation=True)
    submit(node, ALICE, Request(timestamp_ns=99).start())
    closing = node.run_blocks_until(node.height + 12)  # one expiry, one vote deadline
    assert {"inference_expired", "invalidation_vote_closed"} <= {e.type for r in closing for e in r.events}
    replica = Node(tmp_path / "replica.db", inference_genesis())
    for height in range(1, node.height + 1):
        block = decode_block(node.blocks.load_block(height) or b"")
        stored = node.blocks.load_results(height)
        assert stored is not None and replica.apply(block).app_hash == stored.app_hash
    assert replica.app.info() == node.app.info()
