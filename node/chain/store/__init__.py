"""The chain node's SQLite storage: one database, one transaction per height.

`ChainDB` owns the connection; `BlockStore` keeps blocks, commits, results and
the tx index; `StateStore` keeps committed app state and the app-hash chain;
`Overlay` holds pending writes until commit; `MetaStore` keeps chain metadata.
"""

from node.chain.store.block_store import BlockStore, IndexedTx
from node.chain.store.db import ChainDB
from node.chain.store.meta import MetaStore
from node.chain.store.overlay import KVReader, Overlay
from node.chain.store.state_store import StateStore

__all__ = ["BlockStore", "ChainDB", "IndexedTx", "KVReader", "MetaStore", "Overlay", "StateStore"]
