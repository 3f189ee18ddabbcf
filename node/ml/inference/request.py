"""An OpenAI chat-completions request, validated once at the border.

`ChatRequest.from_openai(body)` checks every field the backends use and raises
`InvalidRequestError` naming the field. Unknown keys are ignored, as vLLM's server does,
so clients that send `user` or `frequency_penalty=0` keep working.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from node.ml.inference.errors import InvalidRequestError

# vLLM's default engine cap (`max_logprobs`) and OpenAI's documented maximum.
MAX_TOP_LOGPROBS = 20
MAX_STOP_SEQUENCES = 4
MAX_TEMPERATURE = 2.0
ROLES = ("system", "user", "assistant")
_INT64 = 2**63


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatRequest:
    """A validated chat request. `max_tokens=None` means "up to the context length"."""

    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    logprobs: bool = False
    top_logprobs: int = 0
    stream: bool = False
    include_usage: bool = False

    @classmethod
    def from_openai(cls, body: Any) -> ChatRequest:
        """Validate an OpenAI-style body (a dict decoded from JSON)."""
        if not isinstance(body, Mapping):
            raise InvalidRequestError("body", f"must be a JSON object, got {type(body).__name__}")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise InvalidRequestError("model", "must be a non-empty string")
        _require_n_is_one(body.get("n"))
        logprobs = _optional_bool(body, "logprobs", False)
        top_logprobs = _optional_int(body, "top_logprobs", 0, low=0, high=MAX_TOP_LOGPROBS)
        if top_logprobs and not logprobs:
            raise InvalidRequestError("top_logprobs", "requires logprobs=true")
        stream = _optional_bool(body, "stream", False)
        return cls(
            model=model,
            messages=_messages(body.get("messages")),
            max_tokens=_max_tokens(body),
            temperature=_optional_float(body, "temperature", 1.0, low=0.0, high=MAX_TEMPERATURE),
            top_p=_top_p(body),
            seed=_seed(body.get("seed")),
            stop=_stop(body.get("stop")),
            logprobs=logprobs,
            top_logprobs=top_logprobs,
            stream=stream,
            include_usage=_include_usage(body.get("stream_options"), stream),
        )


def _messages(raw: Any) -> tuple[ChatMessage, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        raise InvalidRequestError("messages", "must be a list of message objects")
    if not raw:
        raise InvalidRequestError("messages", "must not be empty")
    return tuple(_message(i, m) for i, m in enumerate(raw))


def _message(index: int, raw: Any) -> ChatMessage:
    where = f"messages[{index}]"
    if not isinstance(raw, Mapping):
        raise InvalidRequestError(where, "must be an object with role and content")
    role = raw.get("role")
    if role not in ROLES:
        raise InvalidRequestError(f"{where}.role", f"must be one of {', '.join(ROLES)}; got {role!r}")
    return ChatMessage(role=role, content=_content(f"{where}.content", raw.get("content")))


def _content(where: str, raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    # OpenAI also accepts a list of typed parts; only text parts mean anything to a text model.
    if isinstance(raw, list) and all(isinstance(p, Mapping) and p.get("type") == "text" for p in raw):
        texts = [p.get("text") for p in raw]
        if all(isinstance(t, str) for t in texts):
            return "".join(texts)
    raise InvalidRequestError(where, "must be a string or a list of {type: text, text} parts")


def _max_tokens(body: Mapping[str, Any]) -> int | None:
    # `max_completion_tokens` is OpenAI's newer name; when both are given it wins, as in vLLM.
    key = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    if body.get(key) is None:
        return None
    return _optional_int(body, key, 0, low=1, high=None)


def _top_p(body: Mapping[str, Any]) -> float:
    value = _optional_float(body, "top_p", 1.0, low=0.0, high=1.0)
    if value == 0.0:
        raise InvalidRequestError("top_p", "must be in (0, 1]")
    return value


def _seed(raw: Any) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not -_INT64 <= raw < _INT64:
        raise InvalidRequestError("seed", "must be a 64-bit integer")
    return raw


def _stop(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    stops = [raw] if isinstance(raw, str) else raw
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise InvalidRequestError("stop", "must be a non-empty string or a list of them")
    if len(stops) > MAX_STOP_SEQUENCES:
        raise InvalidRequestError("stop", f"at most {MAX_STOP_SEQUENCES} sequences")
    return tuple(stops)


def _include_usage(raw: Any, stream: bool) -> bool:
    if raw is None:
        return False
    if not stream:
        raise InvalidRequestError("stream_options", "is only allowed with stream=true")
    if not isinstance(raw, Mapping):
        raise InvalidRequestError("stream_options", "must be an object")
    return _optional_bool(raw, "include_usage", False, where="stream_options.include_usage")


def _require_n_is_one(raw: Any) -> None:
    if raw is not None and (isinstance(raw, bool) or raw != 1):
        raise InvalidRequestError("n", "only n=1 is supported")


def _optional_bool(body: Mapping[str, Any], key: str, default: bool, *, where: str | None = None) -> bool:
    raw = body.get(key)
    if raw is None:
        return default
    if not isinstance(raw, bool):
        raise InvalidRequestError(where or key, "must be a boolean")
    return raw


def _optional_int(body: Mapping[str, Any], key: str, default: int, *, low: int, high: int | None) -> int:
    raw = body.get(key)
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InvalidRequestError(key, "must be an integer")
    if raw < low or (high is not None and raw > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidRequestError(key, f"must be {bound}; got {raw}")
    return raw


def _optional_float(body: Mapping[str, Any], key: str, default: float, *, low: float, high: float) -> float:
    raw = body.get(key)
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise InvalidRequestError(key, "must be a finite number")
    if not low <= raw <= high:
        raise InvalidRequestError(key, f"must be between {low:g} and {high:g}; got {raw}")
    return float(raw)
