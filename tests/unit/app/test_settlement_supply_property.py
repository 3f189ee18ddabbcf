"""Property: over random message sequences crossing several epochs (seeds, batches, votes, claims,
collateral, transfers, inferences), no balance goes negative, the supply equals the sum of all
balances, and it changes only by minted rewards and burns (slashes, forfeits, unclaimed amounts);
the settlement and collateral accounts hold exactly what their records say."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from google.protobuf.message import Message

from node.chain.app.bank.state import BALANCE_PREFIX
from node.chain.app.collateral.state import COLLATERAL_ACCOUNT, active_collateral, unbonding_entries
from node.chain.app.encoding import decode_u64
from node.chain.app.epochs.state import latest_epoch
from node.chain.app.participants.state import all_participants
from node.chain.app.settlement.state import SETTLEMENT_ACCOUNT, all_settle_amounts
from node.chain.store.state_store import StateStore
from node.core.keys import AccountKey
from node.proto.gonka.bank_pb2 import MsgSend

from .economy_helpers import (
    batch_msg,
    claim_msg,
    deposit_msg,
    host_node,
    seed_msg,
    vote_msg,
    withdraw_msg,
)
from .harness import ALICE, BOB, CAROL, GNK, Node
from .inference_helpers import DEV, PRICE, Request

HOSTS = (ALICE, BOB, CAROL)
# Short epochs: PoC at 10, 25, 40, 55 …; batches P+1..P+6, votes P+6..P+9, E = P+9, S = P+10.
SHORT = {"epoch": {"epoch_length": 15, "epoch_shift": 5}, "pricing": {"min_per_token_price": PRICE}}

host = st.sampled_from(HOSTS)
action = st.one_of(
    st.tuples(st.just("idle"), st.integers(1, 6)),
    st.tuples(st.just("send"), host, st.sampled_from((*HOSTS, DEV)), st.integers(1, 200 * GNK)),
    st.tuples(st.just("deposit"), host, st.integers(1, 120 * GNK)),
    st.tuples(st.just("withdraw"), host, st.integers(1, 50 * GNK)),
    st.tuples(st.just("seed"), host, st.integers(0, 3)),
    st.tuples(st.just("batch"), host, st.integers(1, 40)),
    st.tuples(st.just("vote"), host, host, st.booleans()),
    st.tuples(st.just("claim"), host, st.integers(0, 3)),
    st.tuples(st.just("inference"), host, host, st.booleans()),
)


def message_for(node: Node, step: tuple, serial: int) -> tuple[AccountKey, Message] | None:  # type: ignore[type-arg]
    kind = step[0]
    epoch = latest_epoch(StateStore(node.db))
    if kind == "send":
        return step[1], MsgSend(from_address=step[1].address, to_address=step[2].address, amount=step[3])
    if kind == "deposit":
        return step[1], deposit_msg(step[1], step[2])
    if kind == "withdraw":
        return step[1], withdraw_msg(step[1], step[2])
    if kind == "seed":
        return step[1], seed_msg(step[1], epoch.index, seed=None if step[2] else 99)
    if kind == "batch":
        return step[1], batch_msg(step[1], epoch.poc_start_block_height, step[2], batch_id=f"b{serial}")
    if kind == "vote":
        return step[1], vote_msg(step[1], step[2], epoch.poc_start_block_height, fraud=step[3])
    if kind == "claim":  # for the epoch it may claim, with the right seed or a wrong one
        unclaimed = node.app.query("settlement", {"address": step[1].address})["unclaimed"]
        claimable = max(epoch.index - 1, 0) if unclaimed is None else unclaimed["epoch_index"]
        return step[1], claim_msg(step[1], claimable, seed=None if step[2] else 7)
    return None


def check_invariants(node: Node, genesis_supply: int) -> None:
    kv = StateStore(node.db)
    supply = node.app.query("supply", {})
    balances = [decode_u64(raw) for _, raw in kv.prefix_items(BALANCE_PREFIX)]
    assert all(b > 0 for b in balances)  # zero balances are deleted; none is negative
    assert sum(balances) == supply["amount"]
    assert supply["genesis"] == genesis_supply  # supply = genesis + minted − burned
    amounts = all_settle_amounts(kv)
    assert node.app.query("balance", {"address": SETTLEMENT_ACCOUNT})["amount"] == sum(
        a.work_coins + a.reward_coins for a in amounts
    )
    hosts = [p.address for p in all_participants(kv)]
    held = sum(active_collateral(kv, a) + sum(e.amount for e in unbonding_entries(kv, a)) for a in hosts)
    assert node.app.query("balance", {"address": COLLATERAL_ACCOUNT})["amount"] == held


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=10, max_size=60))
def test_supply_changes_only_by_mints_and_burns(steps: list[tuple]) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as directory:
        node = host_node(Path(directory), **SHORT)
        genesis_supply = node.app.query("supply", {})["amount"]
        for serial, step in enumerate(steps):
            if step[0] == "idle":
                node.run_blocks_until(node.height + step[1])
            elif step[0] == "inference":
                request = Request(ta=step[1], executor=step[2], timestamp_ns=serial + 1)
                node.run_block([node.sign(step[1], request.start())])
                if step[3]:
                    node.run_block([node.sign(step[2], request.finish())])
            else:
                signed = message_for(node, step, serial)
                assert signed is not None
                node.run_block([node.sign(*signed)])
            check_invariants(node, genesis_supply)
        node.run_blocks_until(node.height + 30)  # two more settlements burn what is left unclaimed
        check_invariants(node, genesis_supply)
        minted, burned = node.app.query("supply", {})["minted"], node.app.query("supply", {})["burned"]
        assert node.app.query("supply", {})["amount"] == genesis_supply + minted - burned
