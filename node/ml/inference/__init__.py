"""Inference on the ML node: OpenAI chat completions with top-k logprobs, over transformers or vLLM.

config = InferenceConfig.from_dict(toml["inference"])   # backend, models, adversary mode
backend = config.build()                                 # loads the configured models
result = backend.chat(ChatRequest.from_openai(body))     # result.response: chat.completion dict
for chunk in backend.chat_stream(request): ...           # chat.completion.chunk dicts
"""

from node.ml.inference.adversary import ADVERSARY_MODES
from node.ml.inference.backend import ChatResult, InferenceBackend, RunnerBackend
from node.ml.inference.config import InferenceConfig
from node.ml.inference.errors import (
    BackendUnavailableError,
    InferenceError,
    InvalidRequestError,
    ModelLoadError,
    PromptTooLongError,
    UnknownModelError,
)
from node.ml.inference.model_spec import DEFAULT_MODEL_ID, ModelInfo, ModelSpec
from node.ml.inference.request import ChatMessage, ChatRequest
from node.ml.inference.runner import TokenLogprobs

__all__ = [
    "ADVERSARY_MODES",
    "DEFAULT_MODEL_ID",
    "BackendUnavailableError",
    "ChatMessage",
    "ChatRequest",
    "ChatResult",
    "InferenceBackend",
    "InferenceConfig",
    "InferenceError",
    "InvalidRequestError",
    "ModelInfo",
    "ModelLoadError",
    "ModelSpec",
    "PromptTooLongError",
    "RunnerBackend",
    "TokenLogprobs",
    "UnknownModelError",
]
