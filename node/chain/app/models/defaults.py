"""The model registry each params profile starts with when the genesis lists no models.

- `devnet`: the seeded random Llama every ML node builds from its id (nothing to
  download); the fingerprint is what node/ml computes for those weights.
- `mainnet`: the reference's two governance models, threshold 0.98, weights not pinned.
- `testermint`: the same models at the reference test threshold 0.85.
"""

from __future__ import annotations

from node.proto.gonka.models_pb2 import Model

DEVNET_MODEL_ID = "devnet-llama-10m-seed0"  # node.ml.inference.model_spec.DEFAULT_MODEL_ID
DEVNET_MODEL_FINGERPRINT = "sha256:cf52b5db18ca3e903720b1d26e3db0c25489129a0bfd23109f6f04f72d653a33"
_REFERENCE_MODELS = ("Qwen/QwQ-32B", "Qwen/Qwen2.5-7B-Instruct")


def default_models(profile: str) -> list[Model]:
    if profile == "devnet":
        # 0.99, not the reference test value 0.85: on this small seeded model a wrong model or
        # perturbed logprobs still score 0.97-0.986 (node/ml/validation/THRESHOLDS.md)
        return [
            Model(id=DEVNET_MODEL_ID, validation_threshold_ppm=990_000, weight_fingerprint=DEVNET_MODEL_FINGERPRINT)
        ]
    threshold = 980_000 if profile == "mainnet" else 850_000
    return [Model(id=model_id, validation_threshold_ppm=threshold) for model_id in _REFERENCE_MODELS]
