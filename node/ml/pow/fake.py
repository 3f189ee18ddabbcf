"""Adversary mode `fake-pow`: a generator that inflates its PoC weight with nonces it never computed.

It runs the honest engine (so its pace and its genuine nonces look normal) and, for every valid
nonce it really found, claims `inflation` more nonces from a far, never-computed stretch of its own
nonce space, with made-up distances just below r_target. About 95 % of those recompute above
r_target, which the validator's binomial test catches.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Generator

import numpy as np

from node.ml.pow.engine import DEFAULT_BATCH_SIZE, PowEngine, SprintBatch

# Index into the node's nonce space where the made-up claims start; far beyond any real sprint.
FAKE_START_INDEX = 1 << 40
# Made-up distances lie uniformly in [r_target - 0.01, r_target - 0.00001]: plausible, and valid-looking.
FAKE_DIST_OFFSETS = (1e-5, 1e-2)


class FakePowGenerator:
    """Same `sprint` interface as `PowEngine`, with inflated claims."""

    def __init__(self, engine: PowEngine, inflation: float = 1.0) -> None:
        if not inflation > 0:
            raise ValueError(f"inflation must be positive, got {inflation}")
        self.engine = engine
        self.inflation = inflation

    def sprint(
        self,
        node_id: int,
        node_count: int,
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        stop_event: threading.Event | None = None,
        deadline: float | None = None,
        start_index: int = 0,
    ) -> Generator[SprintBatch, None, None]:
        honest = self.engine.sprint(
            node_id, node_count, batch_size, stop_event=stop_event, deadline=deadline, start_index=start_index
        )
        return self._inflate(honest, node_id, node_count)

    def _inflate(
        self, honest: Generator[SprintBatch, None, None], node_id: int, node_count: int
    ) -> Generator[SprintBatch, None, None]:
        seed = hashlib.sha256(f"fake-pow:{self.engine.block_hash}:{self.engine.public_key}".encode()).digest()
        rng = np.random.Generator(np.random.PCG64(int.from_bytes(seed[:8], "big")))
        owed = 0.0  # fractional claims carried over, so the long-run ratio is exactly `inflation`
        claimed = 0
        try:
            for batch in honest:
                owed += self.inflation * len(batch.nonces)
                count = int(owed)
                owed -= count
                index = FAKE_START_INDEX + claimed + np.arange(count, dtype=np.int64)
                claimed += count
                fake_dists = self.engine.r_target - rng.uniform(*FAKE_DIST_OFFSETS, count)
                yield SprintBatch(
                    nonces=np.concatenate([batch.nonces, node_id + node_count * index]),
                    dists=np.concatenate([batch.dists, fake_dists]),
                    tried=batch.tried,
                    total_tried=batch.total_tried,
                    total_valid=batch.total_valid + claimed,
                )
        finally:
            honest.close()
