"""A chain node: store, app, mempool and consensus engine wired together.

The public gRPC service (rpc.py) talks only to this object: submit a tx, wait for a
tx or a height, read blocks and query the app.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from node.chain.app.abci import CheckResult
from node.chain.app.app import GonkaApp
from node.chain.app.genesis import Genesis
from node.chain.config import ChainNodeConfig
from node.chain.consensus.engine import CommittedBlock, ConsensusEngine
from node.chain.consensus.signer import Signer
from node.chain.consensus.wal import ConsensusWAL
from node.chain.mempool import Mempool
from node.chain.store.block_store import BlockStore, IndexedTx
from node.chain.store.db import ChainDB
from node.chain.tx_waiters import TxWaiters
from node.core.hashing import tx_hash

TX_BATCH_DELAY_S = 0.005  # gossip accepted txs in small batches rather than one by one


class ChainNode:
    def __init__(self, config: ChainNodeConfig) -> None:
        self.config = config
        self.name = config.name
        self.chain_id = config.chain_id
        data = config.home / "data"
        data.mkdir(parents=True, exist_ok=True)
        self.genesis = Genesis.load(config.genesis_path)
        if self.genesis.chain_id != config.chain_id:
            raise ValueError(f"genesis chain id {self.genesis.chain_id!r} differs from config {config.chain_id!r}")
        self.db = ChainDB(data / "chain.sqlite")
        self.blocks = BlockStore(self.db)
        self.app = GonkaApp(self.db, config.chain_id)
        self.mempool = Mempool(self.app)
        self.tx_waiters = TxWaiters()
        self.mempool.on_drop.append(self.tx_waiters.dropped)
        key = config.consensus_key()
        self.engine = ConsensusEngine(
            chain_id=config.chain_id,
            genesis=self.genesis,
            key=key,
            signer=Signer(key, data / "signer_state.json"),
            app=self.app,
            db=self.db,
            block_store=self.blocks,
            wal=ConsensusWAL(data / "consensus.wal"),
            mempool=self.mempool,
            timeouts=config.timeouts,
            p2p_listen=config.p2p_listen,
            peers=config.peers,
        )
        self.engine.listeners.append(self._on_commit)
        self._new_block = asyncio.Condition()
        self._outgoing_txs: list[bytes] = []
        self._flush_scheduled = False

    @property
    def latest_height(self) -> int:
        return self.engine.height - 1

    async def start(self) -> None:
        await self.engine.start()

    async def stop(self) -> None:
        await self.engine.stop()
        self.db.close()

    # -- transactions ----------------------------------------------------------

    def submit_tx(self, raw: bytes) -> tuple[str, CheckResult]:
        """Check a tx into the mempool and gossip it; (hash, check result)."""
        hash_, result = self.mempool.add(raw)
        if result.code == 0:
            self._outgoing_txs.append(raw)
            if not self._flush_scheduled:
                self._flush_scheduled = True
                asyncio.get_running_loop().call_later(TX_BATCH_DELAY_S, self._flush_txs)
        return hash_, result

    def _flush_txs(self) -> None:
        self._flush_scheduled = False
        txs, self._outgoing_txs = self._outgoing_txs, []
        if txs:
            self.engine.broadcast_txs(txs)

    async def wait_for_tx(self, hash_: str, timeout_s: float) -> IndexedTx | None:
        """The tx once in a block; None after `timeout_s`; TxDropped once the mempool let it go."""
        return await self.tx_waiters.wait(hash_, timeout_s, self.blocks.find_tx)

    # -- blocks ----------------------------------------------------------------

    async def wait_for_height(self, height: int) -> None:
        async with self._new_block:
            await self._new_block.wait_for(lambda: self.latest_height >= height)

    def _on_commit(self, committed: CommittedBlock) -> None:
        self.tx_waiters.committed(tx_hash(raw) for raw in committed.block.txs)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._new_block:
            self._new_block.notify_all()


def open_node(config_path: Path) -> ChainNode:
    return ChainNode(ChainNodeConfig.load(config_path))
