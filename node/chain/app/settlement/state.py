"""Settle amounts in app state; the coins sit in the settlement module account.

Keys:
    settlement/amount/<address>   SettleAmount: the one unclaimed amount of a participant

The module account's balance always equals the sum of the stored amounts
(work coins moved in from the inference module, rewards minted in).
"""

from __future__ import annotations

from node.chain.app.encoding import load_all, load_proto, store_proto
from node.chain.store.overlay import KVReader, Overlay
from node.core.keys import module_address
from node.proto.gonka.settlement_pb2 import SettleAmount

SETTLEMENT_ACCOUNT = module_address("settlement")
AMOUNT_PREFIX = b"settlement/amount/"


def get_settle_amount(kv: KVReader, address: str) -> SettleAmount | None:
    return load_proto(kv, AMOUNT_PREFIX + address.encode(), SettleAmount)


def set_settle_amount(kv: Overlay, amount: SettleAmount) -> None:
    store_proto(kv, AMOUNT_PREFIX + amount.participant.encode(), amount)


def delete_settle_amount(kv: Overlay, address: str) -> None:
    kv.delete(AMOUNT_PREFIX + address.encode())


def all_settle_amounts(kv: KVReader) -> list[SettleAmount]:
    """Ordered by participant."""
    return load_all(kv, AMOUNT_PREFIX, SettleAmount)
