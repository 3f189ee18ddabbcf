"""SettleAccounts for the epoch that is ending (reference §7), run at the end of PoC validation.

1. Every unclaimed SettleAmount left from an earlier epoch is burned.
2. The epoch reward R (node/core/rewards.py; 0 before genesis_epoch, capped
   by what standard_reward_amount has left) is minted into the settlement
   account and split by group weight among members that neither were marked
   cheaters for the epoch nor have INVALID executor status (floors, remainder
   to the first by address).
3. Per host (by address): its work coins move from the inference module
   account to the settlement account; its epoch stats give the downtime slash
   (missed / (inferences + missed) > threshold → slash collateral); members get
   an EpochPerformanceSummary (reputation counts them); a forfeiting
   participant's work coins are burned, everyone else gets a SettleAmount
   {work, reward, seed commit}. The epoch stats are reset.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.state import burn, get_minted, get_supply, mint, transfer
from node.chain.app.collateral.state import slash
from node.chain.app.context import BlockContext
from node.chain.app.encoding import U64_MAX
from node.chain.app.epochs.group import member_records, seed_signature
from node.chain.app.inference.state import MODULE_ACCOUNT, epoch_stats, reset_epoch_stats, take_work_coins
from node.chain.app.participants.state import all_participants
from node.chain.app.reputation.state import add_summary, is_cheater
from node.chain.app.settlement.state import (
    SETTLEMENT_ACCOUNT,
    all_settle_amounts,
    delete_settle_amount,
    set_settle_amount,
)
from node.chain.app.validation.state import is_invalid
from node.chain.store.overlay import Overlay
from node.core.rewards import epoch_reward, split_by_weight
from node.core.weights import PPM
from node.proto.gonka.participants_pb2 import ParticipantKind
from node.proto.gonka.settlement_pb2 import EpochPerformanceSummary, SettleAmount


def burn_unclaimed(kv: Overlay) -> list[Event]:
    events: list[Event] = []
    for amount in all_settle_amounts(kv):
        total = amount.work_coins + amount.reward_coins
        delete_settle_amount(kv, amount.participant)
        events += burn(kv, SETTLEMENT_ACCOUNT, total, "unclaimed")
        forfeited = Event.of(
            "forfeited", address=amount.participant, epoch_index=amount.epoch_index, amount=total, reason="unclaimed"
        )
        events.append(forfeited)
    return events


def _reward_pool(ctx: BlockContext, kv: Overlay, epoch: int) -> int:
    params = ctx.params.tokenomics
    reward = epoch_reward(params.initial_epoch_reward, params.decay_rate_ppb, params.genesis_epoch, epoch)
    left = max(0, params.standard_reward_amount - get_minted(kv))
    return min(reward, left, U64_MAX - get_supply(kv))  # the supply must stay a u64


def _downtime(ctx: BlockContext, kv: Overlay, address: str, inferences: int, missed: int) -> list[Event]:
    params = ctx.params.collateral
    if missed * PPM <= params.downtime_missed_percentage_threshold_ppm * (inferences + missed):
        return []
    return slash(kv, address, params.slash_fraction_downtime_ppm, "downtime")


def _forfeit_reason(kv: Overlay, epoch: int, address: str) -> str:
    """Why `address` forfeits `epoch` ("" if it does not)."""
    if is_cheater(kv, epoch, address):
        return "cheater"
    return "invalid" if is_invalid(kv, address) else ""


def settle_epoch(ctx: BlockContext, kv: Overlay, epoch: int) -> list[Event]:
    events = burn_unclaimed(kv)
    group = {member.address: member.weight for member in member_records(kv, epoch)}
    hosts = {p.address for p in all_participants(kv) if p.kind == ParticipantKind.PARTICIPANT_KIND_HOST}
    settled = sorted(hosts | group.keys())
    forfeits = {address: reason for address in settled if (reason := _forfeit_reason(kv, epoch, address))}
    recipients = [address for address in sorted(group) if group[address] > 0 and address not in forfeits]
    pool = _reward_pool(ctx, kv, epoch) if recipients else 0
    rewards = dict(zip(recipients, split_by_weight(pool, [group[a] for a in recipients]), strict=True))
    events += mint(kv, SETTLEMENT_ACCOUNT, pool)
    for address in settled:
        work = take_work_coins(kv, address)
        inferences, missed = epoch_stats(kv, address)
        reset_epoch_stats(kv, address)
        events += transfer(kv, MODULE_ACCOUNT, SETTLEMENT_ACCOUNT, work) if work else []
        events += _downtime(ctx, kv, address, inferences, missed)
        if address not in group and work == 0:
            continue
        reward = rewards.get(address, 0)
        if address in group:
            add_summary(
                kv,
                EpochPerformanceSummary(
                    participant=address,
                    epoch_index=epoch,
                    inference_count=inferences,
                    missed_requests=missed,
                    weight=group[address],
                    work_coins=work,
                    reward_coins=reward,
                    forfeited=address in forfeits,
                ),
            )
        if address in forfeits:
            events += burn(kv, SETTLEMENT_ACCOUNT, work, "forfeited")
            events.append(
                Event.of("forfeited", address=address, epoch_index=epoch, amount=work, reason=forfeits[address])
            )
        elif work + reward:
            seed = seed_signature(kv, epoch, address)
            set_settle_amount(
                kv,
                SettleAmount(
                    participant=address,
                    epoch_index=epoch,
                    work_coins=work,
                    reward_coins=reward,
                    seed_signature="" if seed is None else seed.hex(),
                ),
            )
            events.append(
                Event.of("settlement", address=address, epoch_index=epoch, work_coins=work, reward_coins=reward)
            )
    return events
