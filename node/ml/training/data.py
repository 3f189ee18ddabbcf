"""The shipped corpus as byte tokens, and the deterministic batches every party can rebuild.

The training text is split into `num_shards` contiguous shards, one per worker slot. The batch
of (seed, shard, outer step, inner step) is a set of random windows inside that shard drawn
from a generator seeded by a hash of those four numbers, so a validator re-executing a segment
reads exactly the worker's data. The last EVAL_FRACTION of the text is held out for evaluation.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import torch

DATA_DIR = Path(__file__).parent / "data"
# tests/unit/training/test_catalog.py keeps these ids equal to the chain's catalog.
DATASETS: dict[str, str] = {"kjv-pentateuch": "kjv-pentateuch.txt"}  # public domain, see data/README.md
EVAL_FRACTION = 0.05


class UnknownDataset(ValueError):
    pass


@functools.cache
def load_tokens(name: str) -> torch.Tensor:
    """Every byte of the dataset's text as an int64 token id (vocabulary 256)."""
    file_name = DATASETS.get(name)
    if file_name is None:
        raise UnknownDataset(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    raw = (DATA_DIR / file_name).read_bytes()
    return torch.frombuffer(bytearray(raw), dtype=torch.uint8).to(torch.int64)


def split(tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, eval) token ranges."""
    cut = int(len(tokens) * (1 - EVAL_FRACTION))
    return tokens[:cut], tokens[cut:]


def batch_seed(seed: int, shard: int, outer_step: int, inner_step: int) -> int:
    digest = hashlib.sha256(f"gonka/train/{seed}/{shard}/{outer_step}/{inner_step}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # torch seeds are signed 64-bit


def shard_batch(
    tokens: torch.Tensor,
    shard: int,
    num_shards: int,
    seed: int,
    outer_step: int,
    inner_step: int,
    batch_size: int,
    seq_len: int,
) -> torch.Tensor:
    """(batch_size, seq_len + 1) windows from the shard's part of the training text."""
    train, _ = split(tokens)
    size = len(train) // num_shards
    low = shard * size
    if size <= seq_len + 1:
        raise ValueError(f"a shard of {size} tokens is too small for seq_len {seq_len}")
    generator = torch.Generator().manual_seed(batch_seed(seed, shard, outer_step, inner_step))
    starts = low + torch.randint(0, size - seq_len - 1, (batch_size,), generator=generator)
    return torch.stack([train[start : start + seq_len + 1] for start in starts.tolist()])


def eval_batch(tokens: torch.Tensor, batch_size: int, seq_len: int) -> torch.Tensor:
    """Fixed, evenly spaced windows of the held-out text."""
    _, held_out = split(tokens)
    stride = (len(held_out) - seq_len - 1) // batch_size
    return torch.stack([held_out[i * stride : i * stride + seq_len + 1] for i in range(batch_size)])
