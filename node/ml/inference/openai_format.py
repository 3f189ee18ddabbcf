"""OpenAI response shapes: chat.completion, chat.completion.chunk, logprob entries, usage.

Token ids travel too, as vLLM's `return_token_ids` extension places them (`choices[].token_ids`),
so a validator never has to re-tokenize text. Logprobs are clamped at -9999 as vLLM does,
because JSON has no -inf.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from node.ml.inference.runner import TokenLogprobs
from node.ml.inference.token_table import TokenTable

_LOGPROB_FLOOR = -9999.0


def logprob_entries(steps: Sequence[TokenLogprobs], tokens: TokenTable) -> list[dict[str, Any]]:
    """`choices[].logprobs.content`: one entry per generated token."""
    return [
        {**_token(step.token_id, step.logprob, tokens), "top_logprobs": [_token(t, lp, tokens) for t, lp in step.top]}
        for step in steps
    ]


def _token(token_id: int, logprob: float, tokens: TokenTable) -> dict[str, Any]:
    return {
        "token": tokens.text_of(token_id),
        "logprob": max(logprob, _LOGPROB_FLOOR),
        "bytes": list(tokens.bytes_of(token_id)),
    }


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion(
    *,
    completion_id: str,
    created: int,
    model: str,
    text: str,
    finish_reason: str,
    token_ids: Sequence[int],
    logprobs: list[dict[str, Any]] | None,
    prompt_tokens: int,
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "logprobs": None if logprobs is None else {"content": logprobs},
                "finish_reason": finish_reason,
                "token_ids": list(token_ids),
            }
        ],
        "usage": usage(prompt_tokens, len(token_ids)),
    }


def chunk(
    *,
    completion_id: str,
    created: int,
    model: str,
    delta: dict[str, Any],
    logprobs: list[dict[str, Any]] | None = None,
    finish_reason: str | None = None,
    token_ids: Sequence[int] = (),
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "logprobs": None if logprobs is None else {"content": logprobs},
                "finish_reason": finish_reason,
                "token_ids": list(token_ids),
            }
        ],
    }


def usage_chunk(
    *, completion_id: str, created: int, model: str, prompt_tokens: int, completion_tokens: int
) -> dict[str, Any]:
    """The last chunk of a stream with `stream_options.include_usage`: no choices, only usage."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [],
        "usage": usage(prompt_tokens, completion_tokens),
    }
