"""Backends shared by the inference and validation tests, built once per test session."""

from __future__ import annotations

from functools import cache
from typing import Any

from node.ml.inference import DEFAULT_MODEL_ID, InferenceConfig, RunnerBackend

MODEL = DEFAULT_MODEL_ID


@cache
def backend(adversary: str | None = None) -> RunnerBackend:
    """The default devnet model on CPU, honest or behind an adversary proxy."""
    return InferenceConfig(adversary=adversary).build()


def body(content: str = "What is proof of work?", **overrides: Any) -> dict[str, Any]:
    """An OpenAI chat body as the API node sends it: logprobs on, top 5, a seed."""
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": content}],
        "max_tokens": 16,
        "seed": 1,
        "logprobs": True,
        "top_logprobs": 5,
        **overrides,
    }
