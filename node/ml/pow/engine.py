"""The PoW 2.0 engine: distances of chosen nonces, and sprints over a node's nonce space."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from node.ml.pow.distance import distances_from_logits
from node.ml.pow.inputs import PreparedBatch, prepare_batch
from node.ml.pow.nonces import as_nonce_array, nonce_batches
from node.ml.pow.params import R_TARGET, PowParams
from node.ml.pow.prefetch import prefetched
from node.ml.pow.rng import target
from node.ml.pow.weights import build_model

DTYPES: dict[str, torch.dtype] = {"float32": torch.float32, "float16": torch.float16}
DEFAULT_BATCH_SIZE = 64


@dataclass(frozen=True)
class SprintBatch:
    """One computed batch of a sprint: the valid nonces found in it and running counters."""

    nonces: np.ndarray  # int64, valid nonces of this batch (dist < r_target)
    dists: np.ndarray  # float64, their distances
    tried: int  # nonces computed in this batch
    total_tried: int  # nonces computed since the sprint started
    total_valid: int  # valid nonces found since the sprint started


class PowEngine:
    """Computes PoW distances for one (params, block hash, public key, dtype).

    The model is shared through `build_model`'s cache, so engines for several public keys on the
    same block (a validator checking many participants) cost one build.
    """

    def __init__(
        self,
        params: PowParams,
        block_hash: str,
        public_key: str,
        *,
        dtype: torch.dtype = torch.float32,
        r_target: float = R_TARGET,
        threads: int | None = None,
    ) -> None:
        if not block_hash or not isinstance(block_hash, str):
            raise ValueError("block_hash must be a non-empty string")
        if not public_key or not isinstance(public_key, str):
            raise ValueError("public_key must be a non-empty string")
        if dtype not in DTYPES.values():
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype}")
        if not 0.0 < r_target <= 2.0:
            raise ValueError(f"r_target must lie in (0, 2], got {r_target}")
        if threads is not None:
            if threads < 1:
                raise ValueError(f"threads must be positive, got {threads}")
            torch.set_num_threads(threads)  # process-wide: torch has no per-model setting
        self.params = params
        self.block_hash = block_hash
        self.public_key = public_key
        self.dtype = dtype
        self.r_target = r_target
        self.model = build_model(params, block_hash, dtype)
        self.target = target(block_hash, params.vocab_size)

    def prepare(self, nonces: Sequence[int] | np.ndarray) -> PreparedBatch:
        return prepare_batch(self.params, self.block_hash, self.public_key, nonces, self.dtype)

    def compute(self, batch: PreparedBatch) -> np.ndarray:
        with torch.inference_mode():
            logits = self.model(batch.inputs).numpy()
        return distances_from_logits(logits, batch.permutations, self.target)

    def distances(self, nonces: Sequence[int] | np.ndarray, batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """float64 distance of each nonce, in order; independent of batch_size and thread count."""
        values = as_nonce_array(nonces)
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        chunks = [values[i : i + batch_size] for i in range(0, len(values), batch_size)]
        parts = [self.compute(batch) for batch in prefetched(self.prepare, chunks)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)

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
        """Compute this node's nonces batch after batch until stopped (arguments checked now).

        Stops before starting a batch once `stop_event` is set or `time.monotonic()` has reached
        `deadline`; with neither it runs until the consumer closes the iterator. Inputs of the
        next batches are prepared on a worker thread while the current batch runs.
        """
        return self._sprint(nonce_batches(node_id, node_count, batch_size, start_index), stop_event, deadline)

    def _sprint(
        self, nonces: Iterator[np.ndarray], stop_event: threading.Event | None, deadline: float | None
    ) -> Generator[SprintBatch, None, None]:
        total_tried = total_valid = 0
        batches = prefetched(self.prepare, nonces)
        try:
            for batch in batches:
                if (stop_event is not None and stop_event.is_set()) or (
                    deadline is not None and time.monotonic() >= deadline
                ):
                    return
                dists = self.compute(batch)
                valid = dists < self.r_target
                total_tried += len(dists)
                total_valid += int(valid.sum())
                yield SprintBatch(batch.nonces[valid], dists[valid], len(dists), total_tried, total_valid)
        finally:
            batches.close()
