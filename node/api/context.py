"""What every part of an api node shares: its identity, its links and its local state.

One ApiContext is built by node/api/server.py at start-up and handed to the public
HTTP app, the epoch orchestrator and the validation scheduler. They talk to the chain
only through `chain` (queries, block stream) and `tx` (their own signed txs), and to
their ML nodes only through `ml_nodes`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from node.api.chain_link import ChainLink
from node.api.tx_sender import TxSender
from node.core.keys import AccountKey
from node.ml.client import MlNodeClient

ADVERSARY_MODES = ("", "lazy-validator")


@dataclass
class EpochView:
    """The chain's epoch as last seen in the block stream (updated by the orchestrator)."""

    height: int = 0
    epoch_index: int = 0
    phase: str = "Inference"
    poc_start_height: int = 0
    block_hash: str = ""
    block_time_ms: int = 0
    seen_at: float = float("-inf")  # time.monotonic() when `height` was last advanced


@dataclass
class ApiContext:
    name: str
    chain_id: str
    key: AccountKey  # the participant's account key: signs txs, TA and executor signatures
    public_url: str  # where other api nodes and developers reach this node's HTTP API
    chain: ChainLink
    tx: TxSender
    ml_nodes: list[MlNodeClient]
    data_dir: Path  # durable local state (committed seeds, …)
    model: str  # the model this participant serves
    adversary: str = ""  # "" or "lazy-validator"
    epoch: EpochView = field(default_factory=EpochView)
    # guards the ML nodes' mode switches (inference <-> PoW) so requests and sprints never race
    ml_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def address(self) -> str:
        return self.key.address
