"""Forming the upcoming epoch's group from the PoC verdicts, and making it effective.

Weights (reference §2-3): accepted participants weigh their claimed nonce
count; after collateral.grace_period_end_epoch the collateral adjustment
applies; then power capping (node/core/weights.py, zero weights excluded).
Each member gets its reputation as it enters (reputation/state.py). The
group's weights become consensus powers when it is made effective at
set-new-validators (validators/power.py turns them into ValidatorUpdates).
Departure: if nobody qualifies, the current group's members carry over
(the reference chain would be left without validators and halt).
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.collateral.state import active_collateral
from node.chain.app.context import BlockContext
from node.chain.app.epochs.group import get_group, member_records, set_current_epoch_index, set_group, set_member
from node.chain.app.participants.state import get_participant
from node.chain.app.poc.verdicts import Verdict
from node.chain.app.reputation.state import compute_reputation
from node.chain.store.overlay import Overlay
from node.core.weights import cap_powers, collateral_adjusted_weight
from node.proto.gonka.epochs_pb2 import Epoch, EpochGroup, EpochMember


def _weight(ctx: BlockContext, kv: Overlay, epoch: int, verdict: Verdict) -> int:
    params = ctx.params.collateral
    if not verdict.accepted:
        return 0
    if epoch <= params.grace_period_end_epoch:
        return verdict.claimed
    collateral = active_collateral(kv, verdict.address)
    return collateral_adjusted_weight(
        verdict.claimed, collateral, params.base_weight_ratio_ppm, params.collateral_per_weight_unit_milli
    )


def _new_members(
    ctx: BlockContext, kv: Overlay, epoch: Epoch, verdicts: list[Verdict]
) -> tuple[list[EpochMember], list[Event]]:
    weights = [_weight(ctx, kv, epoch.index, verdict) for verdict in verdicts]
    capped = cap_powers(weights, ctx.params.poc.max_individual_power_ppm)
    members: list[EpochMember] = []
    events: list[Event] = []
    for verdict, weight, power in zip(verdicts, weights, capped, strict=True):
        events.append(
            Event.of(
                "weights_computed",
                epoch_index=epoch.index,
                address=verdict.address,
                claimed=verdict.claimed,
                weight=weight,
                capped=power,
                accepted=verdict.accepted,
                reason=verdict.reason,
            )
        )
        if power == 0:
            continue
        participant = get_participant(kv, verdict.address)
        assert participant is not None, "PoC batches come only from registered hosts"
        members.append(
            EpochMember(
                address=verdict.address,
                poc_weight=weight,
                weight=power,
                consensus_public_key=participant.consensus_public_key,
                models=participant.models,
            )
        )
    return members, events


def form_group(ctx: BlockContext, kv: Overlay, epoch: Epoch, verdicts: list[Verdict]) -> list[Event]:
    members, events = _new_members(ctx, kv, epoch, verdicts)
    carried_over = not members
    if carried_over:
        members = [m for m in member_records(kv, epoch.index - 1) if m.weight > 0]
    for member in members:
        member.reputation = compute_reputation(kv, ctx.params.reputation, member.address)
        set_member(kv, epoch.index, member)
    total = sum(member.weight for member in members)
    set_group(
        kv,
        EpochGroup(
            epoch_index=epoch.index,
            poc_start_block_height=epoch.poc_start_block_height,
            total_weight=total,
            formed_height=ctx.height,
        ),
    )
    events.append(
        Event.of(
            "epoch_group_formed",
            epoch_index=epoch.index,
            members=len(members),
            total_weight=total,
            carried_over=carried_over,
        )
    )
    return events


def make_effective(ctx: BlockContext, kv: Overlay, epoch_index: int) -> list[Event]:
    """Set-new-validators: the upcoming group takes over."""
    group = get_group(kv, epoch_index)
    if group is None:
        raise RuntimeError(f"epoch {epoch_index} has no group to make effective")
    group.effective_height = ctx.height
    set_group(kv, group)
    set_current_epoch_index(kv, epoch_index)
    return [
        Event.of(
            "validators_switched",
            epoch_index=epoch_index,
            total_weight=group.total_weight,
            members=len(member_records(kv, epoch_index)),
            height=ctx.height,
        )
    ]
