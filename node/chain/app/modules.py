"""The app's modules, assembled: message routes, queries, genesis and begin-block hooks."""

from __future__ import annotations

from collections.abc import Callable

from node.chain.app.abci import Event
from node.chain.app.bank import queries as bank_queries
from node.chain.app.bank import state as bank_state
from node.chain.app.bank import transition as bank_transition
from node.chain.app.context import BlockContext
from node.chain.app.epochs import hooks as epoch_hooks
from node.chain.app.epochs import queries as epoch_queries
from node.chain.app.epochs import state as epoch_state
from node.chain.app.genesis import Genesis
from node.chain.app.params import queries as params_queries
from node.chain.app.params.state import store_params
from node.chain.app.participants import queries as participant_queries
from node.chain.app.participants import transition as participant_transition
from node.chain.app.queries import QueryHandler
from node.chain.app.router import Route
from node.chain.app.validators import queries as validator_queries
from node.chain.app.validators import state as validator_state
from node.chain.store.overlay import Overlay

ROUTES: tuple[Route, ...] = (*bank_transition.ROUTES, *participant_transition.ROUTES)

QUERIES: dict[str, QueryHandler] = {
    **bank_queries.QUERIES,
    **params_queries.QUERIES,
    **epoch_queries.QUERIES,
    **participant_queries.QUERIES,
    **validator_queries.QUERIES,
}

# Run in this order at the start of every block, before misbehavior and txs.
BEGIN_BLOCK_HOOKS: tuple[Callable[[BlockContext, Overlay], list[Event]], ...] = (epoch_hooks.begin_block,)


def init_genesis(kv: Overlay, genesis: Genesis) -> None:
    store_params(kv, genesis.params())
    bank_state.init_genesis(kv, genesis)
    validator_state.init_genesis(kv, genesis)
    epoch_state.init_genesis(kv)
