"""Jailing validators for misbehavior the consensus engine proved.

A jailed validator keeps its record (with its last power, for the record) but
gets a ValidatorUpdate with power 0; the engine applies it at H+2. Evidence
against an unknown or already jailed validator changes nothing: the engine
may report the same fault more than once.
"""

from __future__ import annotations

from collections.abc import Sequence

from node.chain.app.abci import Event, Misbehavior, ValidatorUpdate
from node.chain.app.context import BlockContext
from node.chain.app.validators.state import get_validator, set_validator
from node.chain.store.overlay import Overlay


def jail_misbehaving(
    ctx: BlockContext, kv: Overlay, misbehavior: Sequence[Misbehavior]
) -> tuple[list[Event], list[ValidatorUpdate]]:
    events: list[Event] = []
    updates: list[ValidatorUpdate] = []
    for fault in misbehavior:
        validator = get_validator(kv, fault.validator_address)
        if validator is None or validator.jailed:
            continue
        validator.jailed = True
        set_validator(kv, validator)
        updates.append(ValidatorUpdate(validator.consensus_public_key, 0))
        events.append(
            Event.of(
                "validator_jailed",
                consensus_address=fault.validator_address.hex(),
                operator_address=validator.operator_address,
                name=validator.name,
                reason=fault.kind,
                infraction_height=fault.height,
                height=ctx.height,
            )
        )
    return events, updates
