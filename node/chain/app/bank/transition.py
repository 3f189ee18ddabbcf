"""MsgSend: validation and execution."""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.state import transfer
from node.chain.app.context import BlockContext
from node.chain.app.router import Route
from node.chain.store.overlay import Overlay
from node.core.errors import InvalidAddress, TxCode, TxError
from node.core.keys import decode_address
from node.proto.gonka.bank_pb2 import MsgSend


def check_address(field: str, address: str) -> None:
    try:
        decode_address(address)
    except InvalidAddress as exc:
        raise TxError(TxCode.INVALID_ADDRESS, f"{field}: {exc}") from None


def validate_send(msg: MsgSend) -> None:
    check_address("from_address", msg.from_address)
    check_address("to_address", msg.to_address)
    if msg.amount == 0:
        raise TxError(TxCode.INVALID_COINS, "amount must be positive")


def execute_send(ctx: BlockContext, kv: Overlay, msg: MsgSend) -> list[Event]:
    return transfer(kv, msg.from_address, msg.to_address, msg.amount)


ROUTES = (Route(MsgSend, "bank", "from_address", validate_send, execute_send),)
