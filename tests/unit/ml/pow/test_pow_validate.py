import hashlib
import itertools

import numpy as np
import pytest
from scipy.stats import binom

from node.ml.pow.engine import PowEngine
from node.ml.pow.fake import FakePowGenerator
from node.ml.pow.params import R_TARGET
from node.ml.pow.validate import (
    FRAUD_THRESHOLD,
    PROBABILITY_MISMATCH,
    InvalidProofBatch,
    fraud_test,
    sample_indices,
    sample_seed,
    validate_batch,
)

from .conftest import BLOCK_HASH, PUBLIC_KEY

VALIDATOR = "validator-key"
HEIGHT = 1234


def _claims(generator, batches: int) -> tuple[np.ndarray, np.ndarray]:
    found = list(itertools.islice(generator.sprint(0, 1, batch_size=64), batches))
    return np.concatenate([b.nonces for b in found]), np.concatenate([b.dists for b in found])


def test_binomial_test_reproduces_the_reference_results() -> None:
    assert fraud_test(0, 64) == (1.0, False)
    p_value, fraud = fraud_test(10, 64)
    assert p_value == pytest.approx(1.44e-22, rel=0.01) and fraud
    assert not fraud_test(4, 200)[1]  # with 200 samples, 5 or more invalid nonces mean fraud
    assert fraud_test(5, 200)[1]
    assert fraud_test(0, 0) == (1.0, False)


def test_sample_is_seeded_by_validator_block_and_height() -> None:
    digest = hashlib.sha256(f"{VALIDATOR}:{BLOCK_HASH}:{HEIGHT}".encode()).digest()
    assert sample_seed(VALIDATOR, BLOCK_HASH, HEIGHT) == int.from_bytes(digest[:8], "big")
    picked = sample_indices(1000, VALIDATOR, BLOCK_HASH, HEIGHT)
    assert len(picked) == 200 == len(set(picked.tolist())) and picked.min() >= 0 and picked.max() < 1000
    np.testing.assert_array_equal(picked, sample_indices(1000, VALIDATOR, BLOCK_HASH, HEIGHT))
    assert not np.array_equal(picked, sample_indices(1000, "other", BLOCK_HASH, HEIGHT))
    assert not np.array_equal(picked, sample_indices(1000, VALIDATOR, BLOCK_HASH, HEIGHT + 1))
    assert sorted(sample_indices(30, VALIDATOR, BLOCK_HASH, HEIGHT).tolist()) == list(range(30))


def test_honest_batch_passes(devnet, engine: PowEngine) -> None:
    nonces, dists = _claims(engine, 4)
    assert len(nonces) >= 5
    verdict = validate_batch(devnet, BLOCK_HASH, PUBLIC_KEY, nonces, dists, VALIDATOR, HEIGHT)
    assert (verdict.n_invalid, verdict.probability_honest, verdict.fraud_detected) == (0, 1.0, False)
    assert verdict.sample_size == len(nonces)
    assert sorted(verdict.nonces.tolist()) == sorted(nonces.tolist())
    assert verdict.dists.tolist() == verdict.received_dists.tolist()  # same machine, same bits
    assert (verdict.r_target, verdict.fraud_threshold) == (R_TARGET, FRAUD_THRESHOLD)
    assert verdict.to_dict()["fraud_detected"] is False


def test_fake_pow_batch_is_flagged(devnet, engine: PowEngine) -> None:
    nonces, dists = _claims(FakePowGenerator(engine, inflation=3.0), 4)
    verdict = validate_batch(devnet, BLOCK_HASH, PUBLIC_KEY, nonces, dists, VALIDATOR, HEIGHT)
    assert verdict.fraud_detected
    assert verdict.n_invalid >= 5 and verdict.probability_honest < FRAUD_THRESHOLD


def test_large_batches_are_sampled(devnet) -> None:
    # 300 claimed nonces nobody computed: the validator recomputes only 200 of them.
    nonces = np.arange(300) * 7 + 3
    verdict = validate_batch(devnet, BLOCK_HASH, PUBLIC_KEY, nonces, np.full(300, 1.39), VALIDATOR, HEIGHT)
    assert verdict.sample_size == 200 and set(verdict.nonces.tolist()) <= set(nonces.tolist())
    assert verdict.fraud_detected and verdict.n_invalid == int((verdict.dists > R_TARGET).sum()) > 150


def test_another_public_key_cannot_claim_the_nonces(devnet, engine: PowEngine) -> None:
    nonces, dists = _claims(engine, 4)
    verdict = validate_batch(devnet, BLOCK_HASH, "thief-key", nonces, dists, VALIDATOR, HEIGHT)
    assert verdict.fraud_detected


def test_malformed_batches_raise(devnet) -> None:
    with pytest.raises(InvalidProofBatch, match="below r_target"):
        validate_batch(devnet, BLOCK_HASH, PUBLIC_KEY, [1, 2], [1.3, R_TARGET], VALIDATOR, HEIGHT)
    with pytest.raises(InvalidProofBatch, match="equally long"):
        validate_batch(devnet, BLOCK_HASH, PUBLIC_KEY, [1, 2], [1.3], VALIDATOR, HEIGHT)
    with pytest.raises(InvalidProofBatch, match="integers"):
        validate_batch(devnet, BLOCK_HASH, PUBLIC_KEY, [1.5], [1.3], VALIDATOR, HEIGHT)
    empty = validate_batch(devnet, BLOCK_HASH, PUBLIC_KEY, [], [], VALIDATOR, HEIGHT)
    assert (empty.sample_size, empty.fraud_detected, empty.probability_honest) == (0, False, 1.0)


@pytest.mark.parametrize("honest_mismatch", [PROBABILITY_MISMATCH, 1e-3, 1e-2])
def test_simulated_false_positive_rate_matches_the_binomial_tail(honest_mismatch: float) -> None:
    """10,000 validations of an honest host whose recomputations flip with `honest_mismatch`."""
    runs = 10_000
    invalid = np.random.default_rng(7).binomial(200, honest_mismatch, size=runs)
    flagged = sum(fraud_test(int(k), 200)[1] for k in invalid)
    exact = binom.sf(4, 200, honest_mismatch)  # P(5 or more invalid of 200)
    assert abs(flagged / runs - exact) <= 4 * np.sqrt(exact * (1 - exact) / runs) + 1e-4
    if honest_mismatch <= 1e-3:
        assert flagged == 0  # the reference's rate: about 8e-8 per validation
