"""MsgClaimRewards: reveal the epoch's seed and collect its settle amount (reference §7 "Claim").

The seed must match the commit (the claimant's account key signed its 8-byte
big-endian form). With the revealed seed the chain recomputes which
inferences the claimant had to validate (validation module); if any is
missing the claim pays nothing and the whole amount (work and reward) is
BURNED at once — the claim itself succeeds, so the result is on record and
the amount cannot be retried. Otherwise work + reward are paid. Departure:
the reference's vesting (mainnet 180 epochs) is not implemented; payment is
immediate.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.state import burn, get_account, transfer
from node.chain.app.bank.transition import check_address
from node.chain.app.context import BlockContext
from node.chain.app.router import Route
from node.chain.app.settlement.state import SETTLEMENT_ACCOUNT, delete_settle_amount, get_settle_amount
from node.chain.app.validation.state import required_validations_missing
from node.chain.store.overlay import Overlay
from node.core.errors import TxCode, TxError
from node.core.keys import verify_signature
from node.proto.gonka.settlement_pb2 import MsgClaimRewards


def seed_bytes(seed: int) -> bytes:
    """What the seed commit signs: the seed as 8 big-endian bytes."""
    return seed.to_bytes(8, "big")


def validate_claim(msg: MsgClaimRewards) -> None:
    check_address("creator", msg.creator)
    if msg.seed < 0:
        raise TxError(TxCode.INVALID_REQUEST, "seed must be non-negative")


def execute_claim(ctx: BlockContext, kv: Overlay, msg: MsgClaimRewards) -> list[Event]:
    amount = get_settle_amount(kv, msg.creator)
    if amount is None or amount.epoch_index != msg.epoch_index:
        raise TxError(TxCode.NOT_FOUND, f"{msg.creator} has no unclaimed settlement for epoch {msg.epoch_index}")
    if not amount.seed_signature:
        raise TxError(TxCode.UNAUTHORIZED, f"no seed was committed for epoch {msg.epoch_index}; nothing can be claimed")
    account = get_account(kv, msg.creator)
    public_key = b"" if account is None else account.public_key
    if not verify_signature(public_key, seed_bytes(msg.seed), bytes.fromhex(amount.seed_signature)):
        raise TxError(TxCode.UNAUTHORIZED, "the seed does not match the committed seed signature")
    total = amount.work_coins + amount.reward_coins
    delete_settle_amount(kv, msg.creator)
    missing = required_validations_missing(kv, msg.creator, msg.epoch_index, msg.seed)
    if missing:
        return [
            *burn(kv, SETTLEMENT_ACCOUNT, total, "missed_validations"),
            Event.of(
                "forfeited",
                address=msg.creator,
                epoch_index=msg.epoch_index,
                amount=total,
                reason=f"missed {missing} required validations",
            ),
            Event.of("rewards_claimed", address=msg.creator, epoch_index=msg.epoch_index, paid=0, burned=total),
        ]
    return [
        *transfer(kv, SETTLEMENT_ACCOUNT, msg.creator, total),
        Event.of(
            "rewards_claimed",
            address=msg.creator,
            epoch_index=msg.epoch_index,
            work_coins=amount.work_coins,
            reward_coins=amount.reward_coins,
            paid=total,
            burned=0,
        ),
    ]


ROUTES = (Route(MsgClaimRewards, "settlement", "creator", validate_claim, execute_claim),)
