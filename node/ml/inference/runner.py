"""The contract between the chat layer and a model runtime (transformers or vLLM).

A runner only turns token ids into token ids with logprobs. Everything OpenAI-shaped (chat
templates, stop strings, text, chunks, usage) lives once above it, in `backend.py`, so both
runtimes answer alike and adversaries can sit between the two as proxies.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from transformers import PreTrainedTokenizerBase

from node.ml.inference.model_spec import ModelInfo
from node.ml.inference.sampling import SamplingParams
from node.ml.inference.token_table import TokenTable


@dataclass(frozen=True, slots=True)
class TokenLogprobs:
    """One position: the chosen token, its raw logprob, and the top-k alternatives best first."""

    token_id: int
    logprob: float
    top: tuple[tuple[int, float], ...]


class GenerationRow(Protocol):
    """One sequence being generated; the runner feeds it tokens until `push` says it is done."""

    @property
    def prompt_ids(self) -> Sequence[int]: ...

    @property
    def params(self) -> SamplingParams: ...

    def push(self, step: TokenLogprobs) -> bool:
        """Take the next token; True once the row is finished (EOS, stop string or max_tokens)."""
        ...


class ModelRunner(Protocol):
    info: ModelInfo
    tokenizer: PreTrainedTokenizerBase
    tokens: TokenTable
    eos_ids: frozenset[int]

    def generate(self, rows: Sequence[GenerationRow]) -> Generator[None, None, None]:
        """Decode all rows together, yielding after every step so callers can stream."""
        ...

    def score(self, token_ids: Sequence[int], start: int, top_k: int) -> list[TokenLogprobs]:
        """Teacher-forced logprobs of token_ids[start:], each given everything before it."""
        ...


def eos_token_ids(generation_config: Any, tokenizer: PreTrainedTokenizerBase) -> frozenset[int]:
    """The tokenizer's EOS plus the generation config's (Llama 3 ends turns with several ids)."""
    configured = getattr(generation_config, "eos_token_id", None)
    ids = configured if isinstance(configured, list) else [configured]
    return frozenset(i for i in [*ids, tokenizer.eos_token_id] if i is not None)
