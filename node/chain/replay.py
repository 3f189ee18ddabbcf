"""Re-execute a node's stored blocks into a fresh store and compare app hashes height by height.

This is how anyone can check that a node's state follows from its blocks alone: the
app hash at every height must come out identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from node.chain.app.app import GonkaApp
from node.chain.app.genesis import Genesis
from node.chain.consensus import blocks as blk
from node.chain.store.block_store import BlockStore
from node.chain.store.db import ChainDB
from node.proto.gonka import consensus_pb2 as pb


@dataclass(frozen=True)
class ReplayedHeight:
    height: int
    stored_app_hash: bytes
    replayed_app_hash: bytes

    @property
    def matches(self) -> bool:
        return self.stored_app_hash == self.replayed_app_hash


def replay(source: Path, genesis: Genesis, scratch: Path) -> Iterator[ReplayedHeight]:
    """Yield one ReplayedHeight per stored block of the database at `source`."""
    source_db = ChainDB(source)
    target_db = ChainDB(scratch)
    try:
        stored = BlockStore(source_db)
        app = GonkaApp(target_db, genesis.chain_id)
        with target_db.transaction():
            app.init_chain(genesis)
        for height in range(1, stored.latest_height() + 1):
            raw = stored.load_block(height)
            results = stored.load_results(height)
            if raw is None or results is None:
                raise RuntimeError(f"stored block {height} is missing")
            block = pb.Block.FromString(raw)
            result = app.finalize_block(blk.block_input(block, blk.block_hash(block)))
            with target_db.transaction():
                app.commit()
            yield ReplayedHeight(height, results.app_hash, result.app_hash)
    finally:
        source_db.close()
        target_db.close()
