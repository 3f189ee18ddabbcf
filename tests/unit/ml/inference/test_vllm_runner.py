"""The vLLM backend. Its real tests need vLLM and a CUDA GPU (marker `gpu`); on other machines they
skip with the reason, and one CPU test checks that choosing vLLM there fails with a typed error."""

import importlib.util

import pytest
import torch

from node.ml.inference import BackendUnavailableError, ChatRequest, InferenceConfig
from node.ml.validation import validate_inference

from .backends import MODEL, body


def _vllm_missing_reason() -> str | None:
    if importlib.util.find_spec("vllm") is None:
        return "vLLM is not installed (extra gonka-lab[gpu])"
    if not torch.cuda.is_available():
        return "vLLM needs a CUDA GPU and none is visible"
    return None


def test_choosing_vllm_without_it_or_a_gpu_is_a_typed_error():
    if _vllm_missing_reason() is None:
        pytest.skip("vLLM and a GPU are present: the gpu tests below cover the backend")
    with pytest.raises(BackendUnavailableError) as info:
        InferenceConfig(backend="vllm").build()
    assert info.value.http_status == 503


@pytest.fixture(scope="module")
def vllm_backends():
    reason = _vllm_missing_reason()
    if reason:
        pytest.skip(reason)
    config = {"backend": "vllm", "dtype": "bfloat16", "gpu_memory_utilization": 0.25}
    return InferenceConfig(**config).build(), InferenceConfig(**config, adversary="wrong-model").build()


@pytest.mark.gpu
def test_vllm_completion_has_top_logprobs_and_is_seeded(vllm_backends):
    honest, _ = vllm_backends
    request = ChatRequest.from_openai(body(max_tokens=32, seed=4))
    first, again = honest.chat(request), honest.chat(request)
    assert first.completion_token_ids == again.completion_token_ids
    content = first.response["choices"][0]["logprobs"]["content"]
    assert len(content) == len(first.completion_token_ids) and all(len(e["top_logprobs"]) == 5 for e in content)
    assert first.response["usage"]["completion_tokens"] == len(content)


@pytest.mark.gpu
def test_vllm_stream_carries_the_unary_completion(vllm_backends):
    honest, _ = vllm_backends
    unary = honest.chat(ChatRequest.from_openai(body(max_tokens=24, seed=8)))
    chunks = list(honest.chat_stream(ChatRequest.from_openai(body(max_tokens=24, seed=8, stream=True))))
    assert [t for c in chunks for t in c["choices"][0]["token_ids"]] == list(unary.completion_token_ids)


@pytest.mark.gpu
def test_vllm_prompt_logprobs_reproduce_generation(vllm_backends):
    honest, _ = vllm_backends
    request = ChatRequest.from_openai(body(max_tokens=24, seed=2))
    result = honest.chat(request)
    scored = honest.score(MODEL, request.messages, result.completion_token_ids, 5)
    content = result.response["choices"][0]["logprobs"]["content"]
    assert [s.token_id for s in scored] == list(result.completion_token_ids)
    assert [s.logprob for s in scored] == pytest.approx([e["logprob"] for e in content], abs=0.05)


@pytest.mark.gpu
def test_vllm_honest_inference_passes_and_wrong_model_fails(vllm_backends):
    honest, wrong = vllm_backends
    request_body = body(max_tokens=128, seed=6)
    good = honest.chat(ChatRequest.from_openai(request_body)).response
    bad = wrong.chat(ChatRequest.from_openai(request_body)).response
    assert validate_inference(honest, request_body, good).passed
    assert not validate_inference(honest, request_body, bad).passed
