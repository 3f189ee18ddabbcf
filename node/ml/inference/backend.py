"""The inference backend the ML node serves: OpenAI chat on top of any `ModelRunner`.

`InferenceBackend` is the interface the ML node process calls; `RunnerBackend` implements it
once for every runtime (transformers, vLLM) and every adversary proxy. Requests are checked and
tokenized before any model work, so a bad request raises a typed error and changes nothing.
One lock serializes model use: the transformers runtime is not re-entrant, and callers that
want throughput batch with `chat_batch`.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Protocol

from jinja2 import TemplateError

from node.ml.inference import openai_format
from node.ml.inference.completion import CompletionBuilder
from node.ml.inference.errors import InvalidRequestError, PromptTooLongError, UnknownModelError
from node.ml.inference.model_spec import ModelInfo, ModelSpec
from node.ml.inference.request import MAX_TOP_LOGPROBS, ChatMessage, ChatRequest
from node.ml.inference.runner import ModelRunner, TokenLogprobs
from node.ml.inference.sampling import SamplingParams
from node.ml.inference.token_table import TokenTable

RunnerLoader = Callable[[ModelSpec], ModelRunner]


@dataclass(frozen=True, slots=True)
class ChatResult:
    """A finished completion: the OpenAI `chat.completion` dict plus the token ids behind it."""

    response: dict[str, Any]
    prompt_token_ids: tuple[int, ...]
    completion_token_ids: tuple[int, ...]

    @property
    def text(self) -> str:
        return str(self.response["choices"][0]["message"]["content"])

    @property
    def finish_reason(self) -> str:
        return str(self.response["choices"][0]["finish_reason"])


class InferenceBackend(Protocol):
    def load(self, spec: ModelSpec | str) -> ModelInfo: ...

    def models(self) -> list[ModelInfo]: ...

    def chat(self, request: ChatRequest) -> ChatResult: ...

    def chat_batch(self, requests: Sequence[ChatRequest]) -> list[ChatResult]: ...

    def chat_stream(self, request: ChatRequest) -> Iterator[dict[str, Any]]: ...

    def score(
        self, model: str, messages: Sequence[ChatMessage], completion_token_ids: Sequence[int], top_k: int
    ) -> list[TokenLogprobs]: ...

    def token_table(self, model: str) -> TokenTable: ...


@dataclass(slots=True)
class _Job:
    request: ChatRequest
    runner: ModelRunner
    builder: CompletionBuilder
    completion_id: str
    created: int

    def result(self) -> ChatResult:
        builder, tokens = self.builder, self.runner.tokens
        response = openai_format.completion(
            completion_id=self.completion_id,
            created=self.created,
            model=self.request.model,
            text=builder.text,
            finish_reason=builder.finish_reason or "length",
            token_ids=builder.token_ids,
            logprobs=openai_format.logprob_entries(builder.steps, tokens) if self.request.logprobs else None,
            prompt_tokens=len(builder.prompt_ids),
        )
        return ChatResult(response, tuple(builder.prompt_ids), tuple(builder.token_ids))


class RunnerBackend:
    """`InferenceBackend` over runners made by `loader` (one runner per loaded model)."""

    def __init__(self, loader: RunnerLoader) -> None:
        self._loader = loader
        self._runners: dict[str, ModelRunner] = {}
        self._lock = threading.Lock()

    def load(self, spec: ModelSpec | str) -> ModelInfo:
        spec = spec if isinstance(spec, ModelSpec) else ModelSpec.parse(spec)
        with self._lock:
            if spec.id not in self._runners:
                self._runners[spec.id] = self._loader(spec)
            return self._runners[spec.id].info

    def models(self) -> list[ModelInfo]:
        return [runner.info for runner in self._runners.values()]

    def token_table(self, model: str) -> TokenTable:
        return self.runner(model).tokens

    def chat(self, request: ChatRequest) -> ChatResult:
        return self.chat_batch([request])[0]

    def chat_batch(self, requests: Sequence[ChatRequest]) -> list[ChatResult]:
        """Run requests together; requests for the same model share one decode batch."""
        jobs = [self._job(r) for r in requests]
        by_model: dict[str, list[_Job]] = {}
        for job in jobs:
            by_model.setdefault(job.request.model, []).append(job)
        with self._lock:
            for group in by_model.values():
                for _ in group[0].runner.generate([job.builder for job in group]):
                    pass
        return [job.result() for job in jobs]

    def chat_stream(self, request: ChatRequest) -> Iterator[dict[str, Any]]:
        """Chunks of one completion; the request is checked now, before the first chunk."""
        return self._stream(self._job(request))

    def score(
        self, model: str, messages: Sequence[ChatMessage], completion_token_ids: Sequence[int], top_k: int
    ) -> list[TokenLogprobs]:
        """Teacher-forced logprobs (with the top_k best) of a completion after the chat prompt."""
        runner = self.runner(model)
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 0 <= top_k <= MAX_TOP_LOGPROBS:
            raise InvalidRequestError("top_k", f"must be an integer between 0 and {MAX_TOP_LOGPROBS}")
        vocab = len(runner.tokens)
        if not all(isinstance(t, int) and 0 <= t < vocab for t in completion_token_ids):
            raise InvalidRequestError("completion_token_ids", f"must be token ids in [0, {vocab})")
        prompt = self._prompt_ids(runner, messages)
        _check_fits(len(prompt), len(completion_token_ids), runner.info.context_length)
        with self._lock:
            return runner.score([*prompt, *completion_token_ids], len(prompt), top_k)

    def _stream(self, job: _Job) -> Iterator[dict[str, Any]]:
        ids: dict[str, Any] = {"completion_id": job.completion_id, "created": job.created, "model": job.request.model}
        builder, tokens = job.builder, job.runner.tokens
        yield openai_format.chunk(**ids, delta={"role": "assistant", "content": ""})
        with self._lock, closing(job.runner.generate([builder])) as steps:
            for _ in steps:
                new_steps = builder.take_steps()
                yield openai_format.chunk(
                    **ids,
                    delta={"content": builder.take_text()},
                    logprobs=openai_format.logprob_entries(new_steps, tokens) if job.request.logprobs else None,
                    finish_reason=builder.finish_reason,
                    token_ids=[s.token_id for s in new_steps],
                )
        if job.request.include_usage:
            yield openai_format.usage_chunk(
                **ids, prompt_tokens=len(builder.prompt_ids), completion_tokens=len(builder.steps)
            )

    def _job(self, request: ChatRequest) -> _Job:
        runner = self.runner(request.model)
        prompt = self._prompt_ids(runner, request.messages)
        context = runner.info.context_length
        max_tokens = request.max_tokens if request.max_tokens is not None else context - len(prompt)
        _check_fits(len(prompt), max(max_tokens, 1), context)
        params = SamplingParams.for_request(request, max_tokens)
        builder = CompletionBuilder(prompt, params, runner.tokens, runner.eos_ids, request.stop)
        return _Job(request, runner, builder, f"chatcmpl-{uuid.uuid4().hex}", int(time.time()))

    def runner(self, model: str) -> ModelRunner:
        """The runner serving a loaded model id."""
        runner = self._runners.get(model)
        if runner is None:
            raise UnknownModelError(model, sorted(self._runners))
        return runner

    @staticmethod
    def _prompt_ids(runner: ModelRunner, messages: Sequence[ChatMessage]) -> list[int]:
        conversation = [{"role": m.role, "content": m.content} for m in messages]
        try:
            ids = runner.tokenizer.apply_chat_template(
                conversation, add_generation_prompt=True, tokenize=True, return_dict=False
            )
        except TemplateError as exc:  # templates reject e.g. two user turns in a row
            raise InvalidRequestError("messages", f"rejected by the chat template: {exc}") from exc
        return list(ids)


def _check_fits(prompt_tokens: int, completion_tokens: int, context_length: int) -> None:
    if prompt_tokens + completion_tokens > context_length:
        raise PromptTooLongError(prompt_tokens, completion_tokens, context_length)
