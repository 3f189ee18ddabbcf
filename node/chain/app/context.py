"""What a message handler or block hook may know about the block it runs in."""

from __future__ import annotations

from dataclasses import dataclass

from node.proto.gonka.params_pb2 import Params


@dataclass(frozen=True)
class BlockContext:
    height: int  # the height being executed (check_tx: the next height)
    time_ms: int  # block time from the header (check_tx: the last block's time)
    chain_id: str
    params: Params  # as stored in committed state at the start of the block
