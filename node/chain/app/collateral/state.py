"""Collateral in app state; the coins sit in the collateral module account.

Keys:
    collateral/active/<address>                      u64 ngonka bonded
    collateral/unbonding/<address>/<u64 epoch>       u64 ngonka released when `epoch` ends

Unbonding funds stay slashable until released (reference CollateralTests).
The module account's balance always equals active + unbonding over everyone.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.state import burn, transfer
from node.chain.app.encoding import decode_u64, encode_u64, load_u64
from node.chain.store.overlay import KVReader, Overlay
from node.core.keys import module_address
from node.core.weights import PPM
from node.proto.gonka.collateral_pb2 import UnbondingEntry

COLLATERAL_ACCOUNT = module_address("collateral")
ACTIVE_PREFIX = b"collateral/active/"
UNBONDING_PREFIX = b"collateral/unbonding/"


def _put(kv: Overlay, key: bytes, amount: int) -> None:
    if amount:
        kv.set(key, encode_u64(amount))
    else:
        kv.delete(key)


def _unbonding_key(address: str, epoch: int) -> bytes:
    return UNBONDING_PREFIX + address.encode() + b"/" + encode_u64(epoch)


def active_collateral(kv: KVReader, address: str) -> int:
    return load_u64(kv, ACTIVE_PREFIX + address.encode())


def unbonding_entries(kv: KVReader, address: str) -> list[UnbondingEntry]:
    prefix = UNBONDING_PREFIX + address.encode() + b"/"
    return [
        UnbondingEntry(address=address, completion_epoch=decode_u64(key[len(prefix) :]), amount=decode_u64(raw))
        for key, raw in kv.prefix_items(prefix)
    ]


def deposit(kv: Overlay, address: str, amount: int) -> list[Event]:
    events = transfer(kv, address, COLLATERAL_ACCOUNT, amount)
    _put(kv, ACTIVE_PREFIX + address.encode(), active_collateral(kv, address) + amount)
    return events


def start_unbonding(kv: Overlay, address: str, amount: int, completion_epoch: int) -> None:
    """Move `amount` (<= active, checked by the caller) from active into unbonding."""
    _put(kv, ACTIVE_PREFIX + address.encode(), active_collateral(kv, address) - amount)
    key = _unbonding_key(address, completion_epoch)
    _put(kv, key, load_u64(kv, key) + amount)


def release_unbonded(kv: Overlay, completed_epoch: int) -> list[Event]:
    """Pay out every unbonding entry due by the end of `completed_epoch`."""
    events: list[Event] = []
    for key, raw in kv.prefix_items(UNBONDING_PREFIX):
        address, epoch = key[len(UNBONDING_PREFIX) : -9].decode(), decode_u64(key[-8:])
        if epoch > completed_epoch:
            continue
        kv.delete(key)
        events += transfer(kv, COLLATERAL_ACCOUNT, address, decode_u64(raw))
        events.append(Event.of("collateral_released", address=address, amount=decode_u64(raw), epoch=epoch))
    return events


def slash(kv: Overlay, address: str, fraction_ppm: int, reason: str) -> list[Event]:
    """Burn `fraction_ppm` of the active and of each unbonding amount (each floored)."""
    slashed = 0
    active = active_collateral(kv, address)
    cut = active * fraction_ppm // PPM
    _put(kv, ACTIVE_PREFIX + address.encode(), active - cut)
    slashed += cut
    for entry in unbonding_entries(kv, address):
        cut = entry.amount * fraction_ppm // PPM
        _put(kv, _unbonding_key(address, entry.completion_epoch), entry.amount - cut)
        slashed += cut
    if slashed == 0:
        return []
    return [
        *burn(kv, COLLATERAL_ACCOUNT, slashed, reason),
        Event.of("slashed", address=address, amount=slashed, reason=reason, fraction_ppm=fraction_ppm),
    ]
