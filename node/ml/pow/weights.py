"""Weights from the block hash: one seeded N(0, 0.02) pool, sliced per parameter name.

Follows the reference's `initialize_model_with_pool` with pool_fraction 0.05: the pool size
counts every parameter (the unused embedding table too), and each parameter takes a slice (or a
rotated tiling) of the pool at an offset hashed from its name.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import torch

from node.ml.pow.model import Transformer, rope_table
from node.ml.pow.params import PowParams
from node.ml.pow.rng import pool_rng

POOL_FRACTION = 0.05
MIN_POOL_SIZE = 50_000
WEIGHT_STD = 0.02


def pool_size(params: PowParams) -> int:
    return max(MIN_POOL_SIZE, int(params.total_params * POOL_FRACTION))


def weight_pool(block_hash: str, size: int, dtype: torch.dtype) -> torch.Tensor:
    # float64 draws -> float32 -> model dtype: two roundings for fp16, as in the reference.
    values = pool_rng(block_hash).normal(0.0, WEIGHT_STD, size).astype(np.float32)
    return torch.from_numpy(values).to(dtype)


def parameter_offset(block_hash: str, name: str) -> int:
    return int(hashlib.sha256(f"{block_hash}_{name}".encode()).hexdigest()[:8], 16)


def fill_from_pool(flat: torch.Tensor, pool: torch.Tensor, offset: int) -> None:
    """Fill the 1-D view `flat` with the pool slice (or rotated tiling) chosen by `offset`."""
    numel, size = flat.numel(), pool.numel()
    if numel <= size:
        start = offset % (size - numel + 1)
        flat.copy_(pool[start : start + numel])
        return
    # The pool tiled to numel values, rotated left by `shift`: flat[i] = pool[((i + shift) % numel) % size].
    shift = offset % numel
    _copy_cyclic(pool, shift, flat[: numel - shift])
    _copy_cyclic(pool, 0, flat[numel - shift :])


def _copy_cyclic(pool: torch.Tensor, start: int, out: torch.Tensor) -> None:
    """out[j] = pool[(start + j) % len(pool)], copied in contiguous runs."""
    size, pos, done = pool.numel(), start % pool.numel(), 0
    while done < out.numel():
        run = min(size - pos, out.numel() - done)
        out[done : done + run].copy_(pool[pos : pos + run])
        done, pos = done + run, 0


def initialize_from_pool(model: Transformer, block_hash: str, dtype: torch.dtype) -> None:
    pool = weight_pool(block_hash, pool_size(model.params), dtype)
    with torch.no_grad():
        for name, param in model.named_parameters():
            fill_from_pool(param.view(-1), pool, parameter_offset(block_hash, name))


@functools.lru_cache(maxsize=1)
def build_model(params: PowParams, block_hash: str, dtype: torch.dtype) -> Transformer:
    """The seeded model for a block; cached because the mainnet model takes minutes and ~36 GB.

    One entry only: a node works on one block hash at a time, and keeping an old mainnet model
    alive next to a new one would double the memory.
    """
    with torch.device("meta"):  # no memory, no random init: every value is overwritten below
        model = Transformer(params).to(dtype)
    model = model.to_empty(device="cpu")
    model.rope = rope_table(params)  # built on meta above; rebuild it for real
    initialize_from_pool(model, block_hash, dtype)
    return model.eval().requires_grad_(False)
