"""Errors of the inference layer.

    InferenceError                    base; `http_status` tells the gRPC/HTTP layer how to map it
     ├── InvalidRequestError          a bad OpenAI body: wrong type, out-of-range value (names `param`)
     │    └── PromptTooLongError      prompt (+ max_tokens) does not fit the model's context
     ├── UnknownModelError            a model id that is neither loaded nor in the registry
     ├── ModelLoadError               a model spec or directory that cannot be loaded
     └── BackendUnavailableError      the backend needs what this machine lacks (vLLM without CUDA)

Every error is raised before any model work starts, so a rejected request changes nothing.
"""

from __future__ import annotations


class InferenceError(Exception):
    """Base of all inference errors; `http_status` is the status an OpenAI server would answer."""

    http_status = 500
    openai_type = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_openai(self) -> dict[str, object]:
        """The OpenAI-style error body: {"error": {"message", "type", "param", "code"}}."""
        return {
            "error": {
                "message": self.message,
                "type": self.openai_type,
                "param": getattr(self, "param", None),
                "code": self.http_status,
            }
        }


class InvalidRequestError(InferenceError):
    """The request body breaks the OpenAI contract; `param` names the offending field."""

    http_status = 400
    openai_type = "invalid_request_error"

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


class PromptTooLongError(InvalidRequestError):
    """The prompt, plus the tokens asked for, exceeds the model's context length."""

    def __init__(self, prompt_tokens: int, max_tokens: int, context_length: int) -> None:
        super().__init__(
            "messages",
            f"this model's maximum context length is {context_length} tokens, but the request "
            f"needs {prompt_tokens} prompt + {max_tokens} completion tokens",
        )
        self.prompt_tokens = prompt_tokens
        self.max_tokens = max_tokens
        self.context_length = context_length


class UnknownModelError(InferenceError):
    """The model id is neither loaded on this node nor a valid registry name."""

    http_status = 404
    openai_type = "not_found_error"

    def __init__(self, model: str, known: list[str] | None = None) -> None:
        hint = f" (loaded: {', '.join(known)})" if known else ""
        super().__init__(f"unknown model {model!r}{hint}")
        self.param = "model"
        self.model = model


class ModelLoadError(InferenceError):
    """A model spec or directory that cannot be turned into a runnable model."""

    http_status = 422
    openai_type = "model_load_error"


class BackendUnavailableError(InferenceError):
    """The backend cannot run here (for example vLLM without its package or a CUDA device)."""

    http_status = 503
    openai_type = "backend_unavailable"
