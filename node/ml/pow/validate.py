"""PoC validation: recompute a deterministic sample of a participant's claimed nonces.

Follows the reference: the validator samples 200 of the claimed nonces with a seed derived from
(validator key, block hash, PoC start height), recomputes them under the claimed public key,
counts recomputed distances above r_target, and runs a one-sided binomial test against the
honest mismatch rate 5e-4. Claimed distances are only checked to be below r_target; their values
are never compared with the recomputed ones (as in the reference).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from scipy.stats import binomtest

from node.ml.pow.engine import PowEngine
from node.ml.pow.nonces import as_nonce_array
from node.ml.pow.params import R_TARGET, PowParams

SAMPLE_SIZE = 200
PROBABILITY_MISMATCH = 5e-4  # honest rate of recomputations landing above r_target
FRAUD_THRESHOLD = 1e-7  # p-values below this mean fraud; with 200 samples, 5+ invalid nonces


class InvalidProofBatch(ValueError):
    """The batch itself is malformed (the reference asserts rather than judging it)."""


@dataclass(frozen=True)
class PocVerdict:
    """The reference's ValidatedBatch result fields for one participant's batch."""

    nonces: np.ndarray  # the sampled nonces, in sampling order
    dists: np.ndarray  # their recomputed distances
    received_dists: np.ndarray  # their claimed distances
    n_invalid: int
    probability_honest: float
    fraud_detected: bool
    r_target: float
    fraud_threshold: float

    @property
    def sample_size(self) -> int:
        return len(self.nonces)

    def to_dict(self) -> dict[str, Any]:
        return {
            "nonces": self.nonces.tolist(),
            "dist": self.dists.tolist(),
            "received_dist": self.received_dists.tolist(),
            "n_invalid": self.n_invalid,
            "probability_honest": self.probability_honest,
            "fraud_detected": self.fraud_detected,
            "r_target": self.r_target,
            "fraud_threshold": self.fraud_threshold,
            "sample_size": self.sample_size,
        }


def sample_seed(validator_public_key: str, block_hash: str, poc_start_height: int) -> int:
    """The first 8 bytes, big-endian, of SHA-256("{validator key}:{block hash}:{height}")."""
    digest = hashlib.sha256(f"{validator_public_key}:{block_hash}:{poc_start_height}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def sample_indices(
    count: int, validator_public_key: str, block_hash: str, poc_start_height: int, sample_size: int = SAMPLE_SIZE
) -> np.ndarray:
    """Positions of the sampled nonces: the first `sample_size` of a seeded permutation of `count`.

    The seed is the reference's; the permutation is numpy's PCG64 one, not Go's math/rand, so the
    same validator picks the same sample in every run of this implementation.
    """
    if sample_size < 1:
        raise ValueError(f"sample_size must be positive, got {sample_size}")
    rng = np.random.Generator(np.random.PCG64(sample_seed(validator_public_key, block_hash, poc_start_height)))
    return rng.permutation(count)[:sample_size]


@functools.lru_cache(maxsize=1024)
def fraud_test(
    n_invalid: int, n: int, p_mismatch: float = PROBABILITY_MISMATCH, fraud_threshold: float = FRAUD_THRESHOLD
) -> tuple[float, bool]:
    """(probability_honest, fraud_detected) for `n_invalid` mismatches among `n` recomputations."""
    if n == 0:
        return 1.0, False
    p_value = float(binomtest(n_invalid, n, p_mismatch, alternative="greater").pvalue)
    return p_value, p_value < fraud_threshold


def validate_batch(
    params: PowParams,
    block_hash: str,
    public_key: str,
    nonces: Sequence[int] | np.ndarray,
    dists: Sequence[float] | np.ndarray,
    validator_public_key: str,
    poc_start_height: int,
    *,
    dtype: torch.dtype = torch.float32,
    r_target: float = R_TARGET,
    fraud_threshold: float = FRAUD_THRESHOLD,
    sample_size: int = SAMPLE_SIZE,
) -> PocVerdict:
    """Judge a participant's claimed (nonces, dists) for the sprint on `block_hash`."""
    try:
        claimed_nonces = as_nonce_array(nonces)
        claimed_dists = np.asarray(dists, dtype=np.float64)
    except ValueError as exc:
        raise InvalidProofBatch(str(exc)) from None
    if claimed_dists.ndim != 1 or len(claimed_nonces) != len(claimed_dists):
        raise InvalidProofBatch(
            f"nonces ({claimed_nonces.shape}) and dists ({claimed_dists.shape}) must be 1-D and equally long"
        )
    if not (claimed_dists < r_target).all():
        raise InvalidProofBatch(f"every claimed distance must be below r_target={r_target}")
    picked = sample_indices(len(claimed_nonces), validator_public_key, block_hash, poc_start_height, sample_size)
    sampled = claimed_nonces[picked]
    recomputed = PowEngine(params, block_hash, public_key, dtype=dtype, r_target=r_target).distances(sampled)
    n_invalid = int((recomputed > r_target).sum())
    probability_honest, fraud = fraud_test(n_invalid, len(sampled), PROBABILITY_MISMATCH, fraud_threshold)
    return PocVerdict(
        nonces=sampled,
        dists=recomputed,
        received_dists=claimed_dists[picked],
        n_invalid=n_invalid,
        probability_honest=probability_honest,
        fraud_detected=fraud,
        r_target=r_target,
        fraud_threshold=fraud_threshold,
    )
