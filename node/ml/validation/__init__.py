"""Inference validation: teacher-forced re-run of an executor's tokens, reference logprob similarity.

verdict = validate_inference(backend, request_body, claimed_response)
verdict.passed, verdict.similarity, verdict.reason
"""

from node.ml.validation.thresholds import DEVNET_THRESHOLD, REFERENCE_THRESHOLD, threshold_for
from node.ml.validation.validate import InferenceVerdict, validate_inference

__all__ = [
    "DEVNET_THRESHOLD",
    "REFERENCE_THRESHOLD",
    "InferenceVerdict",
    "threshold_for",
    "validate_inference",
]
