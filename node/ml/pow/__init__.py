"""Proof-of-Work 2.0 ("PoC 1.0" in later Gonka documents): seeded-transformer sprints and their validation.

A re-implementation of the Gonka reference's `mlnode/packages/pow`, distance for distance.
"""

from node.ml.pow.engine import DTYPES, PowEngine, SprintBatch
from node.ml.pow.fake import FakePowGenerator
from node.ml.pow.params import NAMED_PARAMS, R_TARGET, PowParams
from node.ml.pow.validate import (
    FRAUD_THRESHOLD,
    PROBABILITY_MISMATCH,
    SAMPLE_SIZE,
    InvalidProofBatch,
    PocVerdict,
    fraud_test,
    sample_indices,
    validate_batch,
)

__all__ = [
    "DTYPES",
    "FRAUD_THRESHOLD",
    "NAMED_PARAMS",
    "PROBABILITY_MISMATCH",
    "R_TARGET",
    "SAMPLE_SIZE",
    "FakePowGenerator",
    "InvalidProofBatch",
    "PocVerdict",
    "PowEngine",
    "PowParams",
    "SprintBatch",
    "fraud_test",
    "sample_indices",
    "validate_batch",
]
