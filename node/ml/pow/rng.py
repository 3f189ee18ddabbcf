"""The seeded random streams of PoW 2.0: weight pool, per-nonce inputs and permutations, target.

Every stream is numpy's PCG64 `Generator` seeded through `SeedSequence` with the SHA-256 digests
of `"{seed}_{i}"` (i = 0..k-1) read as little-endian uint32 words, exactly as the reference does;
the seed strings below are the reference's, character for character.
"""

from __future__ import annotations

import hashlib

import numpy as np


def seeded_rng(seed: str, n_hashes: int) -> np.random.Generator:
    words = b"".join(hashlib.sha256(f"{seed}_{i}".encode()).digest() for i in range(n_hashes))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(np.frombuffer(words, dtype="<u4"))))


def pool_rng(block_hash: str) -> np.random.Generator:
    return seeded_rng(block_hash, 4)


def fill_input(block_hash: str, public_key: str, nonce: int, out: np.ndarray) -> None:
    """Write the nonce's float64 input embeddings [seq_len, dim] into `out` (no copy, no scaling)."""
    # `out=` draws the same stream, in the same C order, as standard_normal((1, seq_len, dim)).
    seeded_rng(f"{block_hash}_{public_key}_nonce{nonce}", 4).standard_normal(out=out)


def permutation(block_hash: str, public_key: str, nonce: int, vocab_size: int) -> np.ndarray:
    return seeded_rng(f"{block_hash}_{public_key}_nonce_{nonce}_permutations", 1).permutation(vocab_size)


def target(block_hash: str, vocab_size: int) -> np.ndarray:
    """The float64 unit vector every nonce's output is compared with; it depends on the block only."""
    vector = seeded_rng(f"{block_hash}_target", 1).standard_normal((1, vocab_size))[0]
    return vector / np.linalg.norm(vector)
