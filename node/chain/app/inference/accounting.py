"""The coins of one inference: escrow in, pay and refund on completion, refund on expiry,
shares for validators, claw-back on invalidation (reference protocol.md §4-5).

Invariant: MODULE_ACCOUNT's balance = escrow of incomplete inferences + all owed coins.
Owed coins that settlement already paid out cannot be taken back, so share
moves and claw-backs take at most what a party is still owed.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.state import transfer
from node.chain.app.inference.state import MODULE_ACCOUNT, add_owed, take_owed
from node.chain.store.overlay import Overlay
from node.proto.gonka.inference_pb2 import Inference, WorkShare


def lock_escrow(kv: Overlay, inference: Inference) -> list[Event]:
    """Move the escrow from the requester to the module (TxError INSUFFICIENT_FUNDS if it can't pay)."""
    if inference.escrow == 0:
        return []
    return transfer(kv, inference.requested_by, MODULE_ACCOUNT, inference.escrow)


def _refund(kv: Overlay, inference: Inference, amount: int) -> list[Event]:
    return transfer(kv, MODULE_ACCOUNT, inference.requested_by, amount) if amount else []


def pay_executor(kv: Overlay, inference: Inference) -> tuple[list[Event], int]:
    """On completion: the executor is owed min(actual cost, escrow); the rest goes back. Returns (events, refund)."""
    tokens = inference.prompt_token_count + inference.completion_token_count
    inference.actual_cost = min(tokens * inference.per_token_price, inference.escrow)
    add_owed(kv, inference.executed_by, inference.actual_cost)
    del inference.shares[:]
    inference.shares.append(WorkShare(address=inference.executed_by, amount=inference.actual_cost))
    refund = inference.escrow - inference.actual_cost
    return _refund(kv, inference, refund), refund


def refund_escrow(kv: Overlay, inference: Inference) -> list[Event]:
    """On expiry: the whole escrow goes back to the requester."""
    return _refund(kv, inference, inference.escrow)


def _equal_split(amount: int, parties: int) -> list[int]:
    """Equal shares; the remainder goes to the first party (the executor), as in share_work.go."""
    base, remainder = divmod(amount, parties)
    return [base + remainder] + [base] * (parties - 1)


def share_with_validator(kv: Overlay, inference: Inference, validator: str) -> None:
    """Re-split the actual cost equally among the executor, the validators paid so far and `validator`."""
    shares = [WorkShare(address=s.address, amount=s.amount) for s in inference.shares]
    shares.append(WorkShare(address=validator, amount=0))
    targets = _equal_split(inference.actual_cost, len(shares))
    pool = 0
    for share, target in zip(shares, targets, strict=True):
        if share.amount > target:
            taken = take_owed(kv, share.address, share.amount - target)
            share.amount -= taken
            pool += taken
    for share, target in zip(shares, targets, strict=True):
        given = min(max(target - share.amount, 0), pool)
        if given:
            add_owed(kv, share.address, given)
            share.amount += given
            pool -= given
    del inference.shares[:]
    inference.shares.extend(shares)


def claw_back(kv: Overlay, inference: Inference) -> tuple[list[Event], int]:
    """On invalidation: every share leaves the owed balances and goes back to the requester."""
    refund = 0
    for share in inference.shares:
        taken = take_owed(kv, share.address, share.amount)
        share.amount -= taken
        refund += taken
    return _refund(kv, inference, refund), refund
