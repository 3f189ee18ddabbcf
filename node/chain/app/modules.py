"""The app's modules, assembled: message routes, queries, genesis and begin-block hooks."""

from __future__ import annotations

from collections.abc import Callable

from node.chain.app.abci import Event, ValidatorUpdate
from node.chain.app.bank import queries as bank_queries
from node.chain.app.bank import state as bank_state
from node.chain.app.bank import transition as bank_transition
from node.chain.app.collateral import queries as collateral_queries
from node.chain.app.collateral import transition as collateral_transition
from node.chain.app.context import BlockContext
from node.chain.app.epochs import end_block as epoch_end_block
from node.chain.app.epochs import group as epoch_group
from node.chain.app.epochs import hooks as epoch_hooks
from node.chain.app.epochs import queries as epoch_queries
from node.chain.app.epochs import state as epoch_state
from node.chain.app.genesis import Genesis
from node.chain.app.inference import hooks as inference_hooks
from node.chain.app.inference import queries as inference_queries
from node.chain.app.inference import transition as inference_transition
from node.chain.app.models import queries as model_queries
from node.chain.app.models import state as model_state
from node.chain.app.params import queries as params_queries
from node.chain.app.params.state import store_params
from node.chain.app.participants import queries as participant_queries
from node.chain.app.participants import state as participant_state
from node.chain.app.participants import transition as participant_transition
from node.chain.app.poc import queries as poc_queries
from node.chain.app.poc import transition as poc_transition
from node.chain.app.queries import QueryHandler
from node.chain.app.router import Route
from node.chain.app.settlement import queries as settlement_queries
from node.chain.app.settlement import transition as settlement_transition
from node.chain.app.training import hooks as training_hooks
from node.chain.app.training import queries as training_queries
from node.chain.app.training import transition as training_transition
from node.chain.app.validation import hooks as validation_hooks
from node.chain.app.validation import queries as validation_queries
from node.chain.app.validation import transition as validation_transition
from node.chain.app.validators import queries as validator_queries
from node.chain.app.validators import state as validator_state
from node.chain.store.overlay import Overlay

ROUTES: tuple[Route, ...] = (
    *bank_transition.ROUTES,
    *participant_transition.ROUTES,
    *inference_transition.ROUTES,
    *validation_transition.ROUTES,
    *poc_transition.ROUTES,
    *collateral_transition.ROUTES,
    *settlement_transition.ROUTES,
    *training_transition.ROUTES,
)

QUERIES: dict[str, QueryHandler] = {
    **bank_queries.QUERIES,
    **params_queries.QUERIES,
    **epoch_queries.QUERIES,
    **participant_queries.QUERIES,
    **validator_queries.QUERIES,
    **inference_queries.QUERIES,
    **validation_queries.QUERIES,
    **model_queries.QUERIES,
    **poc_queries.QUERIES,
    **collateral_queries.QUERIES,
    **settlement_queries.QUERIES,
    **training_queries.QUERIES,
}

# Run in this order at the start of every block, before misbehavior and txs.
BEGIN_BLOCK_HOOKS: tuple[Callable[[BlockContext, Overlay], list[Event]], ...] = (
    epoch_hooks.begin_block,
    inference_hooks.begin_block,  # prices, then expiry
    validation_hooks.begin_block,  # invalidation vote deadlines
    training_hooks.begin_block,  # silent workers, open and validation timeouts
)

# Run in this order at the end of every block, after the txs; their validator updates win
# over earlier ones for the same key (they are computed from the block's final state).
END_BLOCK_HOOKS: tuple[Callable[[BlockContext, Overlay], tuple[list[Event], list[ValidatorUpdate]]], ...] = (
    epoch_end_block.end_block,  # PoC end: settlement and the new group; set-new-validators; power sync
)


def init_genesis(kv: Overlay, genesis: Genesis) -> None:
    store_params(kv, genesis.params())
    bank_state.init_genesis(kv, genesis)
    validator_state.init_genesis(kv, genesis)
    epoch_state.init_genesis(kv)
    model_state.init_genesis(kv, genesis.model_registry())
    participant_state.init_genesis(kv, genesis)
    epoch_group.init_genesis(kv, genesis)
