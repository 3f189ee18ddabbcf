"""Punishing a participant whose executor status became INVALID (reference §5 "The transition to INVALID").

`punish_invalid` (called by the validation module) slashes its collateral by
slash_fraction_invalid, sets its weight (and reputation) to 0 in the
effective group — and in the upcoming group if that is already formed, so it
does not come back at set-new-validators — and marks it a cheater for those
epochs: settlement forfeits the epoch's work coins and reward, and its
reputation restarts at 0 (mission addition; reputation/state.py). Once per
participant and effective epoch: a repeat call changes nothing.

The returned ValidatorUpdates are the consensus-power changes this causes,
already recorded, so the end-block power sync will not report them again.
"""

from __future__ import annotations

from node.chain.app.abci import Event, ValidatorUpdate
from node.chain.app.collateral.state import slash
from node.chain.app.context import BlockContext
from node.chain.app.encoding import encode_u64
from node.chain.app.epochs.group import current_epoch_index, get_group, zero_member
from node.chain.app.reputation.state import mark_cheater
from node.chain.app.validators.power import sync_validator_powers
from node.chain.store.overlay import Overlay

PUNISHED_PREFIX = b"penalties/invalid/"


def punish_invalid(
    ctx: BlockContext, kv: Overlay, address: str, reason: str
) -> tuple[list[Event], list[ValidatorUpdate]]:
    effective = current_epoch_index(kv)
    marker = PUNISHED_PREFIX + encode_u64(effective) + b"/" + address.encode()
    if kv.get(marker) is not None:
        return [], []
    kv.set(marker, b"")
    events = slash(kv, address, ctx.params.collateral.slash_fraction_invalid_ppm, "invalid")
    for epoch in (effective, effective + 1):
        if get_group(kv, epoch) is None:
            continue
        zero_member(kv, epoch, address)
        if mark_cheater(kv, epoch, address, f"invalid: {reason}"):
            events.append(Event.of("cheater_marked", address=address, epoch_index=epoch, reason=f"invalid: {reason}"))
    power_events, updates = sync_validator_powers(ctx, kv)
    return events + power_events, updates
