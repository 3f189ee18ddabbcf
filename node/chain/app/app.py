"""GonkaApp: the deterministic state machine behind the ABCI++-shaped boundary.

finalize_block reads top to bottom like a state transition:

    context (height, time, params from committed state)
    -> begin-block hooks (epoch clock)
    -> misbehavior (jail, power 0)
    -> each tx (decode, authenticate, sequence, messages in a per-tx overlay)
    -> end-block hooks (epoch stages: settlement, new group, validator power)
    -> app hash = chain(previous app hash, this block's sorted writes)

It keeps the block's writes pending; `commit()` writes them inside the
engine's per-height DB transaction. Committed state is read through from the
database, never cached, so if that transaction rolls back the app is simply
back at the previous height (the engine must finalize the block again).

Threading: the engine calls every method from one thread at a time;
`query()` may also be called from other threads (it reads under the DB lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from node.chain.app.abci import (
    AppInfo,
    BlockInput,
    CheckResult,
    Event,
    FinalizeResult,
    ValidatorUpdate,
)
from node.chain.app.auth import DEFAULT_CACHE_SIZE, SignatureCache
from node.chain.app.context import BlockContext
from node.chain.app.execution import Admission, run_tx
from node.chain.app.genesis import Genesis
from node.chain.app.modules import BEGIN_BLOCK_HOOKS, END_BLOCK_HOOKS, QUERIES, ROUTES, init_genesis
from node.chain.app.params.state import load_params
from node.chain.app.queries import QueryContext, QueryError
from node.chain.app.router import Router
from node.chain.app.validation.state import merge_queued_validator_updates
from node.chain.app.validators.misbehavior import jail_misbehaving
from node.chain.store.db import ChainDB
from node.chain.store.meta import MetaStore
from node.chain.store.overlay import Overlay, Write
from node.chain.store.state_store import StateStore
from node.core.errors import TxError
from node.core.tx import decode_tx

_GENESIS = "genesis"
_GENESIS_APP_HASH = "genesis_app_hash"
_LAST_BLOCK_TIME = "last_block_time_ms"


@dataclass(frozen=True)
class _PendingBlock:
    height: int
    time_ms: int
    writes: list[Write]
    app_hash: bytes


class GonkaApp:
    def __init__(self, db: ChainDB, chain_id: str, signature_cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._db = db
        self._chain_id = chain_id
        self._state = StateStore(db)
        self._meta = MetaStore(db)
        self._router = Router(ROUTES)
        self.signature_cache = SignatureCache(signature_cache_size)
        # The mempool's view: committed state plus the txs check_tx accepted
        # since the last commit, so an account's next txs can queue in order.
        self._check_state = Overlay(self._state)
        self._pending: _PendingBlock | None = None

    # -- info / genesis -------------------------------------------------------

    def info(self) -> AppInfo:
        return AppInfo(self._state.last_height or 0, self._state.last_app_hash)

    def init_chain(self, genesis: Genesis) -> tuple[list[ValidatorUpdate], bytes]:
        """Write the genesis state (height 0); a repeat call returns the stored result."""
        if genesis.chain_id != self._chain_id:
            raise ValueError(f"genesis is for chain {genesis.chain_id!r}, this node runs {self._chain_id!r}")
        updates = [ValidatorUpdate(v.consensus_public_key, v.power) for v in genesis.validators]
        document = genesis.to_json().encode()
        with self._db.transaction():
            stored = self._meta.get(_GENESIS)
            if stored is not None:
                if stored != document:
                    raise ValueError("this database was initialized with a different genesis")
                return updates, self._meta.get(_GENESIS_APP_HASH) or b""
            kv = Overlay(self._state)
            init_genesis(kv, genesis)
            app_hash = self._state.commit(0, kv.writes())
            self._meta.put(_GENESIS, document)
            self._meta.put(_GENESIS_APP_HASH, app_hash)
            self._meta.put_int(_LAST_BLOCK_TIME, genesis.genesis_time_ms)
        self._check_state = Overlay(self._state)
        return updates, app_hash

    # -- mempool and proposals -------------------------------------------------

    def _next_block_context(self) -> BlockContext:
        """Context for checks against the next height (its time is not known yet: the last one's)."""
        last = self._state.last_height
        if last is None:
            raise RuntimeError("init_chain has not run")
        return BlockContext(
            last + 1, self._meta.get_int(_LAST_BLOCK_TIME) or 0, self._chain_id, load_params(self._state)
        )

    def check_tx(self, raw: bytes) -> CheckResult:
        outcome = run_tx(
            self._next_block_context(), self._check_state, raw, self._router, self.signature_cache, Admission.CHECK
        )
        tx = outcome.tx
        return CheckResult(
            code=outcome.result.code,
            log=outcome.result.log,
            sender="" if tx is None else tx.signer,
            sequence=0 if tx is None else tx.sequence,
        )

    def prepare_proposal(self, txs: list[bytes], max_bytes: int) -> list[bytes]:
        """Mempool order, minus txs that fail a re-check against committed state, within max_bytes."""
        ctx = self._next_block_context()
        limit = min(max_bytes, ctx.params.block.max_bytes)
        scratch = Overlay(self._state)
        chosen: list[bytes] = []
        size = 0
        for raw in txs:
            if size + len(raw) > limit:
                continue
            outcome = run_tx(ctx, scratch, raw, self._router, self.signature_cache, Admission.CHECK)
            if outcome.result.code == 0:
                chosen.append(raw)
                size += len(raw)
        return chosen

    def process_proposal(self, block: BlockInput) -> bool:
        """Accept unless the block is for the wrong height, too big, or has undecodable or repeated txs.

        Txs that decode but fail execution are accepted: they fail in finalize_block.
        """
        last = self._state.last_height
        if last is None or block.height != last + 1:
            return False
        limits = load_params(self._state).block
        if sum(len(raw) for raw in block.txs) > limits.max_bytes or len(set(block.txs)) != len(block.txs):
            return False
        try:
            for raw in block.txs:
                decode_tx(raw, limits.max_tx_bytes)
        except TxError:
            return False
        return True

    # -- execution ------------------------------------------------------------

    def finalize_block(self, block: BlockInput) -> FinalizeResult:
        last = self._state.last_height
        if last is None:
            raise RuntimeError("init_chain has not run")
        if block.height != last + 1:
            raise ValueError(f"finalize_block got height {block.height}, the next height is {last + 1}")
        ctx = BlockContext(block.height, block.time_ms, self._chain_id, load_params(self._state))
        kv = Overlay(self._state)
        events: list[Event] = []
        for hook in BEGIN_BLOCK_HOOKS:
            events.extend(hook(ctx, kv))
        jail_events, updates = jail_misbehaving(ctx, kv, block.misbehavior)
        events.extend(jail_events)
        tx_results = tuple(
            run_tx(ctx, kv, raw, self._router, self.signature_cache, Admission.BLOCK).result for raw in block.txs
        )
        # Power changes from punishments in hooks and txs (validation/outcomes.py), one per key.
        updates = merge_queued_validator_updates(kv, updates)
        for end_hook in END_BLOCK_HOOKS:
            end_events, end_updates = end_hook(ctx, kv)
            events.extend(end_events)
            replaced = {update.public_key for update in end_updates}
            updates = [update for update in updates if update.public_key not in replaced] + end_updates
        writes = kv.writes()
        app_hash = self._state.next_app_hash(writes)
        self._pending = _PendingBlock(block.height, block.time_ms, writes, app_hash)
        return FinalizeResult(tx_results, tuple(events), tuple(updates), app_hash)

    def commit(self) -> None:
        """Persist the finalized block's writes (inside the caller's transaction, if open)."""
        pending = self._pending
        if pending is None:
            raise RuntimeError("commit() without a finalized block")
        with self._db.transaction():
            if self._state.commit(pending.height, pending.writes) != pending.app_hash:
                raise RuntimeError("committed state changed between finalize_block and commit")
            self._meta.put_int(_LAST_BLOCK_TIME, pending.time_ms)
        self._pending = None
        self._check_state = Overlay(self._state)

    # -- queries --------------------------------------------------------------

    def query(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = QUERIES.get(path)
        if handler is None:
            raise QueryError("not_found", f"unknown query path {path!r}; known: {sorted(QUERIES)}")
        with self._db.read():
            ctx = QueryContext(self._state, self._state.last_height or 0, load_params(self._state))
            return handler(ctx, params)
