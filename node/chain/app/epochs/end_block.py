"""End-block hook: the epoch's stage work, then consensus power follows the effective group.

At the end of PoC validation of the upcoming epoch N (reference §1
"EndBlock at end of PoC validation"), in this order:
  1. unbonding collateral due by the end of epoch N−1 is released;
  2. PoC verdicts for N; fraud marks the participant a cheater for N−1 —
     before settlement, so the forfeit applies to the epoch being settled
     (departure: the reference settles first and only zeroes the weight);
  3. settlement of epoch N−1;
  4. weights, collateral adjustment, power capping, reputation: group N.
At set-new-validators: group N becomes effective.
Every block: validators/power.py reports consensus-power changes.
Not done here (yet): the reference's model assignment and POC_SLOT carry-over
(its steps 6 and "preserved weight"), top miners, BLS DKG, the genesis-guardian
power boost, and pruning of old PoC data.
"""

from __future__ import annotations

from node.chain.app.abci import Event, ValidatorUpdate
from node.chain.app.collateral.state import release_unbonded
from node.chain.app.context import BlockContext
from node.chain.app.epochs.clock import stages
from node.chain.app.epochs.formation import form_group, make_effective
from node.chain.app.epochs.state import latest_epoch
from node.chain.app.poc.verdicts import poc_verdicts
from node.chain.app.reputation.state import mark_cheater
from node.chain.app.settlement.settle import settle_epoch
from node.chain.app.validators.power import sync_validator_powers
from node.chain.store.overlay import Overlay
from node.proto.gonka.epochs_pb2 import Epoch


def end_of_poc_validation(ctx: BlockContext, kv: Overlay, epoch: Epoch) -> list[Event]:
    ending = epoch.index - 1
    events = release_unbonded(kv, ending)
    verdicts = poc_verdicts(kv, epoch.index, epoch.poc_start_block_height)
    for verdict in verdicts:
        if verdict.fraud and mark_cheater(kv, ending, verdict.address, "poc fraud"):
            events.append(Event.of("cheater_marked", address=verdict.address, epoch_index=ending, reason="poc fraud"))
    events += settle_epoch(ctx, kv, ending)
    return events + form_group(ctx, kv, epoch, verdicts)


def end_block(ctx: BlockContext, kv: Overlay) -> tuple[list[Event], list[ValidatorUpdate]]:
    epoch = latest_epoch(kv)
    events: list[Event] = []
    if epoch.index > 0:
        epoch_stages = stages(ctx.params.epoch, epoch.poc_start_block_height)
        if ctx.height == epoch_stages.poc_validation_end:
            events += end_of_poc_validation(ctx, kv, epoch)
        elif ctx.height == epoch_stages.set_new_validators:
            events += make_effective(ctx, kv, epoch.index)
    power_events, updates = sync_validator_powers(ctx, kv)
    return events + power_events, updates
