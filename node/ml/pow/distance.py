"""From last-position logits to distances: permute, L2-normalise, compare with the target."""

from __future__ import annotations

import numpy as np


def distances_from_logits(logits: np.ndarray, permutations: np.ndarray, target: np.ndarray) -> np.ndarray:
    """float64 distances [B] for float32 logits [B, vocab], in the reference's order of operations.

    Permute first, then normalise: the row norm stays float32 (numpy keeps the logits' dtype)
    and the float64 target promotes the difference. Always 2-D so one nonce rounds like a batch.
    """
    if logits.ndim != 2 or logits.shape != permutations.shape or target.shape != logits.shape[1:]:
        raise ValueError(
            f"shape mismatch: logits {logits.shape}, permutations {permutations.shape}, target {target.shape}"
        )
    permuted = np.take_along_axis(logits, permutations, axis=1)
    normed = permuted / np.linalg.norm(permuted, axis=1, keepdims=True)
    return np.linalg.norm(normed - target, axis=1)
