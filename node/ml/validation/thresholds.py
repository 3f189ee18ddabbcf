"""Per-model pass thresholds for the logprob similarity (an inference passes iff similarity > it).

Devnet models use the value measured in THRESHOLDS.md; any other model uses the chain's
genesis value from the reference (mlnode.md §5: 0.98 for both genesis models).
"""

from __future__ import annotations

from node.ml.inference.errors import UnknownModelError
from node.ml.inference.model_spec import ModelSpec

REFERENCE_THRESHOLD = 0.98
# Mean position distance (THRESHOLDS.md): honest fp32 2e-7, honest bf16 executor 3.3e-3, fake-logprobs
# (sigma 0.2) 0.04, wrong-model 0.10; at N >= 100 tokens 0.99 passes d < 0.01.
DEVNET_THRESHOLD = 0.99


def threshold_for(model_id: str) -> float:
    try:
        seeded = ModelSpec.parse(model_id).is_seeded
    except UnknownModelError:
        seeded = False
    return DEVNET_THRESHOLD if seeded else REFERENCE_THRESHOLD
