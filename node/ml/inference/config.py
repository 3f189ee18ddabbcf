"""The ML node's inference settings (a TOML table) and the backend they build.

[inference]
backend = "transformers"          # or "vllm" (GPU, extra `gonka-lab[gpu]`)
device = "cpu"                    # transformers only: "cpu", "cuda", "cuda:1" ...
dtype = "float32"                 # float32 | bfloat16 | float16 (validator and executor must match)
models = ["devnet-llama-10m-seed0"]   # seeded ids or local model directories
adversary = "fake-logprobs"       # optional: "wrong-model" | "fake-logprobs"
threads = 1                       # transformers: CPU threads per computation (1 suits the devnet model)
fake_logprobs_noise = 0.2         # sigma of the log-normal factor on reported logprobs
wrong_model_substitute = "devnet-llama-10m-seed7"   # default: the requested model's next seed
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from node.ml.inference import adversary as adversaries
from node.ml.inference.backend import RunnerBackend, RunnerLoader
from node.ml.inference.errors import ModelLoadError
from node.ml.inference.model_spec import DEFAULT_MODEL_ID, ModelSpec
from node.ml.inference.transformers_runner import TransformersRunner

BACKENDS = ("transformers", "vllm")


@dataclass(frozen=True, kw_only=True)
class InferenceConfig:
    backend: str = "transformers"
    device: str = "cpu"
    dtype: str = "float32"
    models: tuple[str, ...] = (DEFAULT_MODEL_ID,)
    adversary: str | None = None
    fake_logprobs_noise: float = 0.2
    adversary_seed: int = 0
    wrong_model_substitute: str | None = None
    threads: int | None = 1  # transformers only: CPU threads while computing (None: torch's default)
    gpu_memory_utilization: float = 0.5  # vLLM only: share of the GPU it may take

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ModelLoadError(f"inference.backend must be one of {', '.join(BACKENDS)}; got {self.backend!r}")
        if self.adversary is not None and self.adversary not in adversaries.ADVERSARY_MODES:
            modes = ", ".join(adversaries.ADVERSARY_MODES)
            raise ModelLoadError(f"inference.adversary must be one of {modes}; got {self.adversary!r}")

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> InferenceConfig:
        """From a parsed TOML table; unknown keys are errors, so typos do not pass silently."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ModelLoadError(f"unknown inference settings: {', '.join(unknown)}")
        values = dict(table)
        if "models" in values:
            values["models"] = tuple(values["models"])
        return cls(**values)

    def loader(self) -> RunnerLoader:
        """How this node turns a ModelSpec into a runner, adversary proxy included."""
        loader = self._runtime_loader()
        if self.adversary == "wrong-model":
            substitute = ModelSpec.parse(self.wrong_model_substitute) if self.wrong_model_substitute else None
            return adversaries.wrong_model(loader, substitute)
        if self.adversary == "fake-logprobs":
            return adversaries.fake_logprobs(loader, self.fake_logprobs_noise, self.adversary_seed)
        return loader

    def build(self) -> RunnerBackend:
        """A backend with every configured model loaded."""
        backend = RunnerBackend(self.loader())
        for model in self.models:
            backend.load(model)
        return backend

    def _runtime_loader(self) -> RunnerLoader:
        if self.backend == "vllm":
            from node.ml.inference.vllm_runner import VllmRunner  # optional extra: import only when chosen

            return lambda spec: VllmRunner.load(
                spec, dtype=self.dtype, gpu_memory_utilization=self.gpu_memory_utilization
            )
        return lambda spec: TransformersRunner.load(spec, device=self.device, dtype=self.dtype, threads=self.threads)
