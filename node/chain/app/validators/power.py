"""Consensus power follows the effective epoch group (reference §3 "Consensus power").

Each member's capped weight is the voting power of its consensus key; keys
that are no longer members (or weigh 0) get power 0, which removes them from
the set at H+2. Validator records keep the power last reported to the
engine, so a sync reports only differences and never the same key twice.
Jailed validators stay at 0 (misbehavior.py reported that already).
Departure: a change that would leave no power at all is not reported (the
engine cannot run with an empty set; the reference chain would halt).
"""

from __future__ import annotations

from node.chain.app.abci import Event, ValidatorUpdate
from node.chain.app.context import BlockContext
from node.chain.app.epochs.group import current_epoch_index, member_records
from node.chain.app.validators.state import all_validators, set_validator
from node.chain.store.overlay import Overlay
from node.proto.gonka.participants_pb2 import Validator


def sync_validator_powers(ctx: BlockContext, kv: Overlay) -> tuple[list[Event], list[ValidatorUpdate]]:
    members = {m.consensus_public_key: m for m in member_records(kv, current_epoch_index(kv))}
    records = {v.consensus_public_key: v for v in all_validators(kv)}
    live = [key for key in sorted(members.keys() | records.keys()) if not (key in records and records[key].jailed)]
    target = {key: members[key].weight if key in members else 0 for key in live}
    if sum(target.values()) == 0:
        return [], []
    events: list[Event] = []
    updates: list[ValidatorUpdate] = []
    for key in live:
        record = records.get(key)
        if record is None:
            address = members[key].address
            record = Validator(name=address, operator_address=address, consensus_public_key=key)
        if record.power == target[key]:
            continue
        events.append(
            Event.of(
                "validator_power_changed",
                operator_address=record.operator_address,
                consensus_public_key=key.hex(),
                power=target[key],
                previous=record.power,
                height=ctx.height,
            )
        )
        record.power = target[key]
        set_validator(kv, record)
        updates.append(ValidatorUpdate(key, target[key]))
    return events, updates
