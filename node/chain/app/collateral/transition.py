"""MsgDepositCollateral and MsgWithdrawCollateral.

Only registered hosts hold collateral (it backs PoC weight and is what
slashing takes). A withdrawal unbonds for `unbonding_period_epochs`: asked in
effective epoch e, it is paid when epoch e + period ends (at that PoC's end of
validation), and stays slashable until then.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.transition import check_address
from node.chain.app.collateral.state import active_collateral, deposit, start_unbonding
from node.chain.app.context import BlockContext
from node.chain.app.epochs.group import current_epoch_index
from node.chain.app.participants.state import require_host
from node.chain.app.router import Route
from node.chain.store.overlay import Overlay
from node.core.errors import TxCode, TxError
from node.proto.gonka.collateral_pb2 import MsgDepositCollateral, MsgWithdrawCollateral


def validate_amount_msg(msg: MsgDepositCollateral | MsgWithdrawCollateral) -> None:
    check_address("creator", msg.creator)
    if msg.amount == 0:
        raise TxError(TxCode.INVALID_COINS, "amount must be positive")


def execute_deposit(ctx: BlockContext, kv: Overlay, msg: MsgDepositCollateral) -> list[Event]:
    require_host(kv, msg.creator)
    events = deposit(kv, msg.creator, msg.amount)
    total = active_collateral(kv, msg.creator)
    return [*events, Event.of("collateral_deposited", address=msg.creator, amount=msg.amount, active=total)]


def execute_withdraw(ctx: BlockContext, kv: Overlay, msg: MsgWithdrawCollateral) -> list[Event]:
    require_host(kv, msg.creator)
    active = active_collateral(kv, msg.creator)
    if msg.amount > active:
        raise TxError(TxCode.INSUFFICIENT_FUNDS, f"{msg.creator} has {active} ngonka of collateral, not {msg.amount}")
    completion = current_epoch_index(kv) + ctx.params.collateral.unbonding_period_epochs
    start_unbonding(kv, msg.creator, msg.amount, completion)
    return [
        Event.of(
            "collateral_withdrawn",
            address=msg.creator,
            amount=msg.amount,
            active=active - msg.amount,
            completion_epoch=completion,
        )
    ]


ROUTES = (
    Route(MsgDepositCollateral, "collateral", "creator", validate_amount_msg, execute_deposit),
    Route(MsgWithdrawCollateral, "collateral", "creator", validate_amount_msg, execute_withdraw),
)
