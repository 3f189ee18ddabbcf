"""Claiming a settled epoch with the revealed seed (reference §7 "Claim").

At the claim stage of epoch N the chain holds this node's settle amount for epoch N-1
(written at the end of N's PoC validation). MsgClaimRewards reveals the seed committed for
N-1; with it the chain recomputes which of N-1's inferences this node had to validate, and
pays nothing if one is missing. So the claim waits while the validator still has
validations of N-1 queued (they run once the ML nodes are back in inference mode), but
not past the next PoC start: the next settlement burns an unclaimed amount anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from node.api.context import ApiContext
from node.api.events import TxOutcome, send_tx
from node.api.seeds import SeedStore
from node.core.tx import register_message
from node.proto.gonka.settlement_pb2 import MsgClaimRewards

log = logging.getLogger(__name__)

register_message(MsgClaimRewards)


def must_claim_now(settled_epoch: int, latest_epoch: int, pending: int) -> bool:
    """Claim once no validation of the settled epoch is pending, or when the next PoC has
    started (latest = settled + 2): waiting longer could only lose the amount."""
    return pending == 0 or latest_epoch >= settled_epoch + 2


async def claim_rewards(ctx: ApiContext, seeds: SeedStore, pending: Callable[[int], int]) -> bool:
    """Claim this node's unclaimed settlement if it is time; True when nothing is left to do."""
    unclaimed = (await ctx.chain.query("settlement", address=ctx.address))["unclaimed"]
    if unclaimed is None:
        return True
    epoch = int(unclaimed["epoch_index"])
    seed = seeds.get(epoch)
    if seed is None:
        log.error("%s: no seed kept for epoch %d; its settlement cannot be claimed", ctx.name, epoch)
        return True
    waiting = pending(epoch)
    if not must_claim_now(epoch, ctx.epoch.epoch_index, waiting):
        log.info("%s: claim for epoch %d waits for %d validation(s)", ctx.name, epoch, waiting)
        return False
    message = MsgClaimRewards(creator=ctx.address, epoch_index=epoch, seed=seed)
    outcome = await send_tx(ctx.tx, [message], f"{ctx.name}: claim for epoch {epoch}")
    if outcome is TxOutcome.COMMITTED:
        log.info("%s: claim for epoch %d is on chain (paid unless a required validation is missing)", ctx.name, epoch)
    return outcome is not TxOutcome.UNKNOWN
