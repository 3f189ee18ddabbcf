"""The nonce space split between the ML nodes of one participant.

Node `node_id` of `node_count` owns nonces node_id, node_id + node_count, node_id + 2*node_count, ...
(the reference's formula with a single GPU group), so nodes never repeat each other's work.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np


def check_node(node_id: int, node_count: int) -> None:
    if isinstance(node_count, bool) or not isinstance(node_count, int) or node_count < 1:
        raise ValueError(f"node_count must be a positive integer, got {node_count!r}")
    if isinstance(node_id, bool) or not isinstance(node_id, int) or not 0 <= node_id < node_count:
        raise ValueError(f"node_id must be an integer in [0, {node_count}), got {node_id!r}")


def nonce_batches(node_id: int, node_count: int, batch_size: int, start_index: int = 0) -> Iterator[np.ndarray]:
    """Endless batches of this node's nonces from its `start_index`-th on (arguments checked now)."""
    check_node(node_id, node_count)
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    if start_index < 0:
        raise ValueError(f"start_index must be non-negative, got {start_index}")
    return (
        node_id + node_count * np.arange(first, first + batch_size, dtype=np.int64)
        for first in itertools.count(start_index, batch_size)
    )


def as_nonce_array(nonces: Sequence[int] | np.ndarray) -> np.ndarray:
    """Nonces as a 1-D int64 array; anything else is a clear error."""
    values = np.asarray(nonces)
    if values.ndim != 1 or (values.size and not np.issubdtype(values.dtype, np.integer)):
        raise ValueError("nonces must be a 1-D sequence of integers")
    if values.size and values.min() < 0:
        raise ValueError("nonces must be non-negative")
    return values.astype(np.int64)
