"""Cheating hosts, as proxies around honest runners (honest code carries no cheat flags).

- `wrong-model`: serves other weights under the advertised id and fingerprint; by default the
  same architecture with the next seed, i.e. a model that costs the same but is not the one
  the network agreed on (a stand-in for "a cheaper model").
- `fake-logprobs`: generates honestly but reports perturbed logprobs: every reported value is
  multiplied by exp(noise * z), z ~ N(0, 1), which keeps it negative and keeps the top list sorted.

Both are selected by the ML node's config (`InferenceConfig.adversary`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence

import numpy as np

from node.ml.inference.backend import RunnerLoader
from node.ml.inference.errors import ModelLoadError
from node.ml.inference.fingerprint import fingerprint_directory
from node.ml.inference.model_spec import ModelInfo, ModelSpec
from node.ml.inference.runner import GenerationRow, ModelRunner, TokenLogprobs
from node.ml.inference.sampling import SamplingParams
from node.ml.inference.seeded import seeded_fingerprint

ADVERSARY_MODES = ("wrong-model", "fake-logprobs")


def wrong_model(loader: RunnerLoader, substitute: ModelSpec | None = None) -> RunnerLoader:
    """A loader that loads `substitute` (default: next seed) but advertises the requested model."""

    def load(spec: ModelSpec) -> ModelRunner:
        if substitute is not None:
            served = substitute
        elif spec.is_seeded:
            served = spec.with_seed((spec.seed or 0) + 1)
        else:
            raise ModelLoadError(f"wrong-model: {spec.id} is not seeded; configure a substitute model")
        runner = loader(served)
        runner.info = ModelInfo(
            id=spec.id, fingerprint=_honest_fingerprint(spec), context_length=runner.info.context_length
        )
        return runner

    return load


def _honest_fingerprint(spec: ModelSpec) -> str:
    if spec.is_seeded:
        return seeded_fingerprint(spec)
    assert spec.path is not None, spec
    return fingerprint_directory(spec.path)


def fake_logprobs(loader: RunnerLoader, noise: float, seed: int = 0) -> RunnerLoader:
    """A loader whose runners report logprobs scaled by log-normal noise of the given sigma."""
    if not (math.isfinite(noise) and noise > 0):
        raise ValueError(f"fake-logprobs noise must be a positive number; got {noise}")

    def load(spec: ModelSpec) -> ModelRunner:
        return FakeLogprobsRunner(loader(spec), noise, seed)

    return load


class FakeLogprobsRunner:
    """Delegates to an honest runner and perturbs what it reports while generating."""

    def __init__(self, inner: ModelRunner, noise: float, seed: int) -> None:
        self.inner = inner
        self.info, self.tokenizer, self.tokens, self.eos_ids = inner.info, inner.tokenizer, inner.tokens, inner.eos_ids
        self._noise = noise
        self._rng = np.random.default_rng(seed)

    def generate(self, rows: Sequence[GenerationRow]) -> Generator[None, None, None]:
        return self.inner.generate([_PerturbedRow(row, self._perturb) for row in rows])

    def score(self, token_ids: Sequence[int], start: int, top_k: int) -> list[TokenLogprobs]:
        return self.inner.score(token_ids, start, top_k)

    def _perturb(self, step: TokenLogprobs) -> TokenLogprobs:
        ids = {step.token_id, *(t for t, _ in step.top)}
        factor = dict(zip(sorted(ids), np.exp(self._noise * self._rng.standard_normal(len(ids))).tolist(), strict=True))
        top = sorted(((t, lp * factor[t]) for t, lp in step.top), key=lambda e: -e[1])
        return TokenLogprobs(step.token_id, step.logprob * factor[step.token_id], tuple(top))


class _PerturbedRow:
    def __init__(self, row: GenerationRow, perturb: Callable[[TokenLogprobs], TokenLogprobs]) -> None:
        self._row = row
        self._perturb = perturb

    @property
    def prompt_ids(self) -> Sequence[int]:
        return self._row.prompt_ids

    @property
    def params(self) -> SamplingParams:
        return self._row.params

    def push(self, step: TokenLogprobs) -> bool:
        return self._row.push(self._perturb(step))
