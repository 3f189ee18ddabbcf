"""Seeded sampling of one next token: temperature, nucleus (top_p), a per-request generator.

The same seed, prompt and model give the same completion because each request draws from its
own torch.Generator, never from the global RNG that other requests also advance. Reported
logprobs are the raw ones (vLLM's default `logprobs_mode`), so temperature and top_p change
which token is drawn, not the numbers the validator checks.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import torch

from node.ml.inference.request import ChatRequest

_UINT64 = 2**64


@dataclass(frozen=True, slots=True)
class SamplingParams:
    temperature: float
    top_p: float
    seed: int
    max_tokens: int
    top_logprobs: int

    @classmethod
    def for_request(cls, request: ChatRequest, max_tokens: int) -> SamplingParams:
        seed = request.seed if request.seed is not None else secrets.randbits(63)
        return cls(
            temperature=request.temperature,
            top_p=request.top_p,
            seed=seed,
            max_tokens=max_tokens,
            top_logprobs=request.top_logprobs if request.logprobs else 0,
        )

    def generator(self, device: torch.device | str) -> torch.Generator:
        # OpenAI seeds may be negative; torch wants an unsigned 64-bit value.
        return torch.Generator(device=device).manual_seed(self.seed % _UINT64)


def sample_token(logits: torch.Tensor, params: SamplingParams, generator: torch.Generator) -> int:
    """Draw one token id from a [vocab] row of raw logits."""
    if params.temperature == 0.0:
        return int(logits.argmax())
    probs = torch.softmax(logits.float() / params.temperature, dim=-1)
    if params.top_p < 1.0:
        probs = _nucleus(probs, params.top_p)
    return int(torch.multinomial(probs, 1, generator=generator))


def _nucleus(probs: torch.Tensor, top_p: float) -> torch.Tensor:
    """Keep the smallest set of most likely tokens whose mass reaches top_p (at least one)."""
    sorted_probs, order = probs.sort(descending=True, stable=True)
    mass_before = sorted_probs.cumsum(-1) - sorted_probs
    sorted_probs[mass_before >= top_p] = 0.0
    return torch.zeros_like(probs).scatter_(-1, order, sorted_probs)
