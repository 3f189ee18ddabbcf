import hashlib
import struct

import numpy as np

from node.ml.pow.rng import fill_input, permutation, seeded_rng, target

from .conftest import BLOCK_HASH, GOLDEN, PUBLIC_KEY


def _entropy(seed: str, n_hashes: int) -> list[int]:
    words: list[int] = []
    for i in range(n_hashes):
        words.extend(struct.unpack("<8I", hashlib.sha256(f"{seed}_{i}".encode()).digest()))
    return words


def test_seeded_rng_uses_little_endian_digest_words() -> None:
    expected = np.random.default_rng(np.random.SeedSequence(_entropy("abc", 4))).standard_normal(8)
    np.testing.assert_array_equal(seeded_rng("abc", 4).standard_normal(8), expected)
    assert seeded_rng("abc", 1).standard_normal() != seeded_rng("abc", 4).standard_normal()


def test_input_stream_matches_golden_and_fills_like_a_shaped_draw() -> None:
    seed = f"{BLOCK_HASH}_{PUBLIC_KEY}_nonce7"  # no underscore between "nonce" and the number
    np.testing.assert_array_equal(seeded_rng(seed, 4).standard_normal(4), GOLDEN["input_head_nonce_7"])
    out = np.empty((3, 5))
    fill_input(BLOCK_HASH, PUBLIC_KEY, 7, out)
    np.testing.assert_array_equal(out, seeded_rng(seed, 4).standard_normal((1, 3, 5))[0])


def test_permutation_stream_matches_golden() -> None:
    perm = permutation(BLOCK_HASH, PUBLIC_KEY, 7, 8196)
    assert perm[:6].tolist() == GOLDEN["permutation_head_nonce_7"]
    assert sorted(perm.tolist()) == list(range(8196))
    other = seeded_rng(f"{BLOCK_HASH}_{PUBLIC_KEY}_nonce_7_permutations", 1).permutation(8196)
    np.testing.assert_array_equal(perm, other)


def test_target_is_a_seeded_unit_vector() -> None:
    vector = target(BLOCK_HASH, 8196)
    assert vector.dtype == np.float64
    np.testing.assert_array_equal(vector[:4], GOLDEN["target_head"])
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-15
    raw = seeded_rng(f"{BLOCK_HASH}_target", 1).standard_normal(8196)
    np.testing.assert_allclose(vector, raw / np.linalg.norm(raw), rtol=0, atol=1e-17)
