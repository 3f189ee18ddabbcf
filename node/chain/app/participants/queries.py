"""Queries `participants` (all, by address) and `participant` {address}, for dashboards.

Each record carries, besides the registration: `weight` (capped weight in the
effective epoch group), `voting_power` (consensus power now reported to the
engine), `reputation`, `status` (executor status), `collateral` (active +
unbonding) and `balance`.
"""

from __future__ import annotations

from typing import Any

from node.chain.app.bank.state import get_balance
from node.chain.app.collateral.state import active_collateral, unbonding_entries
from node.chain.app.encoding import to_jsonable
from node.chain.app.epochs.group import current_epoch_index, get_member
from node.chain.app.participants.state import all_participants, get_participant
from node.chain.app.queries import QueryContext, QueryError, QueryHandler, address_param, check_params
from node.chain.app.validation.state import get_executor
from node.chain.app.validators.state import get_validator
from node.chain.store.overlay import KVReader
from node.core.consensus_keys import consensus_address
from node.proto.gonka.participants_pb2 import Participant
from node.proto.gonka.validation_pb2 import ExecutorStatus


def _voting_power(kv: KVReader, participant: Participant) -> int:
    if not participant.consensus_public_key:
        return 0
    validator = get_validator(kv, consensus_address(participant.consensus_public_key))
    return 0 if validator is None or validator.jailed else validator.power


def _dashboard_record(kv: KVReader, participant: Participant) -> dict[str, Any]:
    address = participant.address
    member = get_member(kv, current_epoch_index(kv), address)
    return to_jsonable(participant) | {
        "weight": 0 if member is None else member.weight,
        "voting_power": _voting_power(kv, participant),
        "reputation": 0 if member is None else member.reputation,
        "status": ExecutorStatus.Name(get_executor(kv, address).status),
        "collateral": active_collateral(kv, address) + sum(e.amount for e in unbonding_entries(kv, address)),
        "balance": get_balance(kv, address),
    }


def query_participants(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    check_params(params, set())
    return {"participants": [_dashboard_record(ctx.kv, p) for p in all_participants(ctx.kv)]}


def query_participant(ctx: QueryContext, params: dict[str, Any]) -> dict[str, Any]:
    address = address_param(params)
    participant = get_participant(ctx.kv, address)
    if participant is None:
        raise QueryError("not_found", f"{address} is not a registered participant")
    return _dashboard_record(ctx.kv, participant)


QUERIES: dict[str, QueryHandler] = {"participants": query_participants, "participant": query_participant}
