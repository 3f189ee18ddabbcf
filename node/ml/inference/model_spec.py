"""Which model to serve: a seeded devnet model named by architecture + seed, or a local directory.

Seeded ids read `devnet-<architecture>-seed<N>` (for example `devnet-llama-10m-seed0`), so the
name alone is enough for every node to rebuild bit-identical weights. `ModelInfo` is what a node
advertises: the id and a fingerprint (hash of the weights) that other nodes can compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from node.ml.inference.errors import UnknownModelError

SEEDED_ARCHITECTURES = ("llama-10m",)
DEFAULT_MODEL_ID = "devnet-llama-10m-seed0"
_SEEDED_ID = re.compile(r"devnet-(?P<arch>[a-z0-9-]+?)-seed(?P<seed>\d{1,18})")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model to load: `architecture` + `seed` for seeded models, `path` for local directories."""

    id: str
    architecture: str | None = None
    seed: int | None = None
    path: Path | None = None

    @classmethod
    def seeded(cls, architecture: str, seed: int) -> ModelSpec:
        if architecture not in SEEDED_ARCHITECTURES:
            raise UnknownModelError(f"devnet-{architecture}-seed{seed}", list(SEEDED_ARCHITECTURES))
        return cls(id=f"devnet-{architecture}-seed{seed}", architecture=architecture, seed=seed)

    @classmethod
    def local(cls, path: Path | str, model_id: str | None = None) -> ModelSpec:
        path = Path(path)
        return cls(id=model_id or path.name, path=path)

    @classmethod
    def parse(cls, ref: str) -> ModelSpec:
        """A seeded id, or the path of a local Hugging Face model directory."""
        match = _SEEDED_ID.fullmatch(ref)
        if match:
            return cls.seeded(match["arch"], int(match["seed"]))
        if Path(ref).is_dir():
            return cls.local(ref)
        raise UnknownModelError(ref)

    @property
    def is_seeded(self) -> bool:
        return self.architecture is not None

    def with_seed(self, seed: int) -> ModelSpec:
        """The same architecture with other weights (what the `wrong-model` adversary serves)."""
        assert self.architecture is not None, "only seeded models have a seed"
        return ModelSpec.seeded(self.architecture, seed)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a node advertises for a loaded model."""

    id: str
    fingerprint: str
    context_length: int

    def to_openai(self) -> dict[str, object]:
        """An entry of OpenAI's /v1/models list (vLLM adds `max_model_len` the same way)."""
        return {
            "id": self.id,
            "object": "model",
            "created": 0,
            "owned_by": "gonka-lab",
            "max_model_len": self.context_length,
            "fingerprint": self.fingerprint,
        }
