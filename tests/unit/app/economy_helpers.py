"""PoC, settlement and collateral test fixtures: message builders and a driver for one PoC round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

from node.chain.app.abci import Event, FinalizeResult, TxResult
from node.chain.store.state_store import StateStore
from node.core.keys import AccountKey
from node.proto.gonka.collateral_pb2 import MsgDepositCollateral, MsgWithdrawCollateral
from node.proto.gonka.poc_pb2 import MsgSubmitPocBatch, MsgSubmitPocValidation, MsgSubmitSeed
from node.proto.gonka.settlement_pb2 import MsgClaimRewards

from .harness import ALICE, BOB, CAROL, DAVE, Node
from .inference_helpers import inference_genesis

HOSTS = (ALICE, BOB, CAROL, DAVE)
SEEDS = {key.address: 1000 + i for i, key in enumerate(HOSTS)}  # each host's secret seed, every epoch
DEVNET = {"epoch": {"epoch_length": 40}}  # the devnet clock: PoC at 20, 60, 100 …; E = P+9, S = P+10


def host_node(tmp_path: Path, powers: tuple[int, ...] = (10, 10, 10), **overrides: Any) -> Node:
    """Genesis hosts ALICE, BOB, CAROL (, DAVE) with `powers`, 100 GNK each, devnet params."""
    return Node(tmp_path / "node.db", inference_genesis(powers, **(overrides or DEVNET)))


def seed_signature(key: AccountKey, seed: int) -> str:
    return key.sign(seed.to_bytes(8, "big")).hex()


def seed_msg(key: AccountKey, epoch: int, seed: int | None = None) -> MsgSubmitSeed:
    chosen = SEEDS[key.address] if seed is None else seed
    return MsgSubmitSeed(creator=key.address, epoch_index=epoch, signature=seed_signature(key, chosen))


def batch_msg(key: AccountKey, poc_start: int, nonces: int, batch_id: str = "b0", **fields: Any) -> MsgSubmitPocBatch:
    values: dict[str, Any] = {
        "creator": key.address,
        "poc_stage_start_block_height": poc_start,
        "batch_id": batch_id,
        "nonces": list(range(nonces)),
        "dist": [0.5] * nonces,
        "node_id": "node-0",
    }
    return MsgSubmitPocBatch(**(values | fields))


def vote_msg(
    validator: AccountKey, participant: AccountKey, poc_start: int, fraud: bool = False
) -> MsgSubmitPocValidation:
    return MsgSubmitPocValidation(
        creator=validator.address,
        participant_address=participant.address,
        poc_stage_start_block_height=poc_start,
        n_invalid=50 if fraud else 0,
        probability_honest_ppb=0 if fraud else 900_000_000,
        fraud_detected=fraud,
    )


def claim_msg(key: AccountKey, epoch: int, seed: int | None = None) -> MsgClaimRewards:
    return MsgClaimRewards(creator=key.address, epoch_index=epoch, seed=SEEDS[key.address] if seed is None else seed)


def deposit_msg(key: AccountKey, amount: int) -> MsgDepositCollateral:
    return MsgDepositCollateral(creator=key.address, amount=amount)


def withdraw_msg(key: AccountKey, amount: int) -> MsgWithdrawCollateral:
    return MsgWithdrawCollateral(creator=key.address, amount=amount)


def block(node: Node, signed: Mapping[AccountKey, Sequence[Message]]) -> FinalizeResult:
    """One block with one tx per signer holding its messages; every tx must succeed."""
    result = node.run_block([node.sign(key, *messages) for key, messages in signed.items() if messages])
    assert all(r.code == 0 for r in result.tx_results), [r.log for r in result.tx_results]
    return result


def submit(node: Node, key: AccountKey, *messages: Message) -> TxResult:
    """One tx alone in the next block (may fail)."""
    return node.run_block([node.sign(key, *messages)]).tx_results[0]


def next_poc_start(node: Node) -> int:
    epoch = node.app.query("epoch", {})
    if epoch["stages"] is not None and node.height < epoch["stages"]["poc_validation_end"]:
        return int(epoch["poc_start_height"])
    return int(epoch["next_poc_start_height"])


def run_poc(
    node: Node,
    nonces: Mapping[AccountKey, int],
    votes: Mapping[AccountKey, Mapping[AccountKey, bool]] | None = None,
    seeds: Sequence[AccountKey] | None = None,
) -> list[FinalizeResult]:
    """Drive the next PoC through its end of validation E (inclusive), returning the blocks from P on.

    At P the hosts in `seeds` (default: those in `nonces`) commit their seed for the
    upcoming epoch; at P+1 each host in `nonces` sends one batch; at V+1 each
    validator in `votes` ({validator: {participant: fraud}}) votes — by default
    every host in `nonces` votes "valid" on every host in `nonces`.
    """
    poc_start = next_poc_start(node)
    node.run_blocks_until(poc_start - 1)
    epoch = node.app.query("epoch", {"height": poc_start})
    stages, index = epoch["stages"], epoch["epoch_index"]
    if votes is None:
        votes = {validator: {participant: False for participant in nonces} for validator in nonces}
    committers = list(nonces) if seeds is None else list(seeds)
    results = [block(node, {key: [seed_msg(key, index)] for key in committers})]
    results.append(block(node, {key: [batch_msg(key, poc_start, count)] for key, count in nonces.items()}))
    results += node.run_blocks_until(stages["validation_window"]["start"] - 1)
    ballots = {
        validator: [vote_msg(validator, participant, poc_start, fraud) for participant, fraud in choices.items()]
        for validator, choices in votes.items()
    }
    results.append(block(node, ballots))
    results += node.run_blocks_until(stages["poc_validation_end"])
    return results


def events(results: FinalizeResult | Sequence[FinalizeResult], kind: str) -> list[dict[str, str]]:
    """Attributes of every block- and tx-level event of `kind`."""
    found: list[Event] = []
    for result in [results] if isinstance(results, FinalizeResult) else results:
        found += [e for e in result.events if e.type == kind]
        found += [e for tx in result.tx_results for e in tx.events if e.type == kind]
    return [dict(e.attributes) for e in found]


def group(node: Node, epoch: int | None = None) -> dict[str, dict[str, Any]]:
    params = {} if epoch is None else {"epoch": epoch}
    return {m["address"]: m for m in node.app.query("epoch_group", params)["members"]}


ECONOMY_PREFIXES = (b"poc/", b"epochs/", b"settlement/", b"collateral/", b"reputation/", b"bank/balance/", b"bank/s")


def economy_state(node: Node) -> dict[bytes, bytes]:
    """Committed PoC, epoch-group, settlement, collateral, reputation and balance state."""
    kv = StateStore(node.db)
    return {key: value for prefix in ECONOMY_PREFIXES for key, value in kv.prefix_items(prefix)}


def rejected(node: Node, key: AccountKey, message: Message) -> TxResult:
    """Submit `message` in its own block; assert it failed and changed nothing.

    Not for blocks at a stage boundary (P, E, S), whose hooks change this state themselves.
    """
    before = economy_state(node)
    result = submit(node, key, message)
    assert result.code != 0, result
    assert economy_state(node) == before
    return result
