"""Per-nonce model inputs and output permutations, stacked into batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from node.ml.pow.params import PowParams
from node.ml.pow.rng import fill_input, permutation


@dataclass(frozen=True)
class PreparedBatch:
    nonces: np.ndarray  # int64 [B]
    inputs: torch.Tensor  # [B, seq_len, dim] in the model dtype
    permutations: np.ndarray  # int64 [B, vocab_size]


def prepare_batch(
    params: PowParams, block_hash: str, public_key: str, nonces: Sequence[int], dtype: torch.dtype
) -> PreparedBatch:
    count = len(nonces)
    embeddings = np.empty((count, params.seq_len, params.dim), dtype=np.float64)
    perms = np.empty((count, params.vocab_size), dtype=np.int64)
    for i, nonce in enumerate(nonces):
        fill_input(block_hash, public_key, int(nonce), embeddings[i])
        perms[i] = permutation(block_hash, public_key, int(nonce), params.vocab_size)
    # One rounding float64 -> model dtype, the conversion torch.tensor(array, dtype) does.
    inputs = torch.from_numpy(embeddings).to(dtype)
    return PreparedBatch(np.asarray(nonces, dtype=np.int64), inputs, perms)
