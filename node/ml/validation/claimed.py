"""What an executor claims: its completion tokens and reported top logprobs, read from OpenAI JSON.

The claim is untrusted input from another host, so every malformed shape becomes a
`ClaimRejected` (the inference fails) rather than a crash. A claim with no logprobs is rejected,
not waved through (the reference once auto-passed those, mlnode.md §9, PR #1487) — unless it
claims nothing at all (no tokens, no text: a stream its client cut before the first token), which
is an empty claim that no re-run can contradict. Tokens are
identified by ids when `choices[0].token_ids` is present, else by their exact `bytes`; either way
the two must agree. Streamed claims (a list of chat.completion.chunk dicts) are accepted too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from node.ml.inference.token_table import TokenTable


class ClaimRejected(Exception):
    """The executor's response cannot be validated as it stands; the message says why."""


@dataclass(frozen=True, slots=True)
class Claim:
    model: str | None
    token_ids: tuple[int, ...]
    tops: tuple[dict[int, float], ...]  # per position: token id -> reported logprob


def read_claim(response: Any, tokens: TokenTable) -> Claim:
    if isinstance(response, Sequence) and not isinstance(response, (str, bytes)):
        response = _assemble_chunks(response)
    if not isinstance(response, Mapping):
        raise ClaimRejected("the response is not a JSON object")
    choice = _first_choice(response)
    logprobs = choice.get("logprobs")
    content = logprobs.get("content") if isinstance(logprobs, Mapping) else None
    model = response.get("model")
    if not content and not choice.get("token_ids") and _text(choice) == "":
        # nothing was produced (a stream its client cut before the first token): nothing to check
        return Claim(model if isinstance(model, str) else None, (), ())
    if not isinstance(content, list) or not content or not all(isinstance(e, Mapping) for e in content):
        raise ClaimRejected("the response carries no per-token logprobs")
    token_ids = _token_ids(choice.get("token_ids"), content, tokens)
    tops = tuple(_top(j, entry.get("top_logprobs"), tokens) for j, entry in enumerate(content))
    return Claim(model if isinstance(model, str) else None, token_ids, tops)


def _text(choice: Mapping[str, Any]) -> Any:
    """The completion text a choice claims ("" when it has none)."""
    message = choice.get("message")
    return message.get("content") or "" if isinstance(message, Mapping) else ""


def _first_choice(response: Mapping[str, Any]) -> Mapping[str, Any]:
    choices = response.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise ClaimRejected("the response has no choices")
    return choices[0]


def _token_ids(raw: Any, content: list[Mapping[str, Any]], tokens: TokenTable) -> tuple[int, ...]:
    by_bytes = [_entry_bytes(e) for e in content]
    if raw is None:
        ids = [tokens.id_of(b) if b is not None else None for b in by_bytes]
        if any(i is None for i in ids):
            raise ClaimRejected("a logprobs entry names a token this model does not have")
        return tuple(ids)  # type: ignore[arg-type]
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise ClaimRejected("token_ids is not a list of integers")
    if len(raw) != len(content):
        raise ClaimRejected(f"{len(raw)} token ids but {len(content)} logprobs entries")
    for j, (token_id, piece) in enumerate(zip(raw, by_bytes, strict=True)):
        if not 0 <= token_id < len(tokens) or (piece is not None and piece != tokens.bytes_of(token_id)):
            raise ClaimRejected(f"token {j}: id {token_id} disagrees with its logprobs entry")
    return tuple(raw)


def _top(position: int, raw: Any, tokens: TokenTable) -> dict[int, float]:
    if not isinstance(raw, list):
        raise ClaimRejected(f"token {position}: top_logprobs is not a list")
    top: dict[int, float] = {}
    for entry in raw:
        logprob = entry.get("logprob") if isinstance(entry, Mapping) else None
        if (
            isinstance(logprob, bool)
            or not isinstance(logprob, (int, float))
            or not (math.isfinite(logprob) and logprob <= 0)
        ):
            raise ClaimRejected(f"token {position}: a top logprob is not a number <= 0")
        piece = _entry_bytes(entry)
        token_id = tokens.id_of(piece) if piece is not None else None
        if token_id is not None:  # an alternative this model lacks simply matches nothing
            top.setdefault(token_id, float(logprob))
    return top


def _entry_bytes(entry: Mapping[str, Any]) -> bytes | None:
    raw = entry.get("bytes")
    if isinstance(raw, list) and all(isinstance(b, int) and 0 <= b < 256 for b in raw):
        return bytes(raw)
    token = entry.get("token")
    return token.encode("utf-8") if isinstance(token, str) else None


def _assemble_chunks(chunks: Sequence[Any]) -> dict[str, Any]:
    """A chat.completion-like dict from streamed chunks (their logprobs and token ids, in order)."""
    content: list[Any] = []
    token_ids: list[Any] = []
    text: list[Any] = []
    model = None
    for chunk in chunks:
        if not isinstance(chunk, Mapping):
            raise ClaimRejected("a streamed chunk is not a JSON object")
        model = chunk.get("model", model)
        for choice in chunk.get("choices") or ():
            logprobs = choice.get("logprobs") if isinstance(choice, Mapping) else None
            if isinstance(logprobs, Mapping) and isinstance(logprobs.get("content"), list):
                content.extend(logprobs["content"])
            if isinstance(choice, Mapping) and isinstance(choice.get("token_ids"), list):
                token_ids.extend(choice["token_ids"])
            delta = choice.get("delta") if isinstance(choice, Mapping) else None
            if isinstance(delta, Mapping) and delta.get("content"):
                text.append(delta["content"])
    # the text is kept only to tell "nothing produced" from "tokens without logprobs"
    assembled: dict[str, Any] = {"logprobs": {"content": content}, "message": {"content": text or ""}}
    if token_ids:
        assembled["token_ids"] = token_ids
    return {"model": model, "choices": [assembled]}
