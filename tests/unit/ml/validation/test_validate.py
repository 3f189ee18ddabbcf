import copy

import pytest

from node.ml.inference import ChatRequest, InvalidRequestError, UnknownModelError
from node.ml.validation import DEVNET_THRESHOLD, REFERENCE_THRESHOLD, threshold_for, validate_inference

from ..inference.backends import MODEL, backend, body

# 128 tokens: the reference divides by max(100, N), so shorter answers are judged leniently.
REQUEST = body("Explain the epoch schedule.", max_tokens=128, seed=21)


def served(adversary: str | None = None) -> dict:
    return backend(adversary).chat(ChatRequest.from_openai(REQUEST)).response


def test_an_honest_inference_passes_with_similarity_close_to_one():
    verdict = validate_inference(backend(), REQUEST, served())
    assert verdict.passed and verdict.reason == ""
    assert verdict.similarity > 0.9999 and verdict.threshold == DEVNET_THRESHOLD
    assert verdict.tokens == len(served()["choices"][0]["token_ids"]) > 100


def test_an_honest_streamed_inference_passes():
    chunks = list(backend().chat_stream(ChatRequest.from_openai({**REQUEST, "stream": True})))
    assert validate_inference(backend(), REQUEST, chunks).passed


@pytest.mark.parametrize("adversary", ["wrong-model", "fake-logprobs"])
def test_a_cheating_executor_fails(adversary):
    verdict = validate_inference(backend(), REQUEST, served(adversary))
    assert not verdict.passed
    assert verdict.similarity < 0.98 and "not above" in verdict.reason


def test_the_threshold_decides():
    claim = served("wrong-model")
    assert validate_inference(backend(), REQUEST, claim, threshold=0.5).passed


def test_a_substituted_token_fails():
    claim = copy.deepcopy(served())
    choice = claim["choices"][0]
    table = backend().token_table(MODEL)
    other = (choice["token_ids"][0] + 1) % 1000
    choice["token_ids"][0] = other
    choice["logprobs"]["content"][0].update(token=table.text_of(other), bytes=list(table.bytes_of(other)))
    assert not validate_inference(backend(), REQUEST, claim).passed


def test_a_stream_cut_before_its_first_token_passes_with_nothing_to_check():
    # what an executor records when the client hangs up after the role chunk (the network test's
    # load did, and the honest executor was convicted)
    chunks = list(backend().chat_stream(ChatRequest.from_openai({**REQUEST, "stream": True})))[:1]
    assert chunks[0]["choices"][0]["token_ids"] == []
    verdict = validate_inference(backend(), REQUEST, chunks)
    assert verdict.passed and verdict.tokens == 0 and verdict.similarity == 1.0


def test_text_without_logprobs_or_token_ids_still_fails():
    chunks = list(backend().chat_stream(ChatRequest.from_openai({**REQUEST, "stream": True})))
    for chunk in chunks:
        for choice in chunk["choices"]:
            choice.update(logprobs=None, token_ids=None)
    assert any(c["choices"][0]["delta"].get("content") for c in chunks if c["choices"])
    stripped = copy.deepcopy(served())
    stripped["choices"][0].update(logprobs=None, token_ids=None)
    for claim in (chunks, stripped):
        verdict = validate_inference(backend(), REQUEST, claim)
        assert not verdict.passed and "no per-token logprobs" in verdict.reason


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda c: c["choices"][0].update(logprobs=None), "no per-token logprobs"),
        (lambda c: c.update(model="devnet-llama-10m-seed1"), "is for model"),
        (lambda c: c["choices"][0]["token_ids"].reverse(), "disagrees"),
    ],
)
def test_a_broken_claim_fails_with_its_reason(tamper, reason):
    claim = copy.deepcopy(served())
    tamper(claim)
    verdict = validate_inference(backend(), REQUEST, claim)
    assert not verdict.passed and reason in verdict.reason and verdict.similarity == 0.0


def test_more_tokens_than_max_tokens_fails():
    verdict = validate_inference(backend(), {**REQUEST, "max_tokens": 8}, served())
    assert not verdict.passed and "max_tokens" in verdict.reason


def test_a_claim_longer_than_the_context_fails():
    entry = {
        "token": "a",
        "logprob": -1.0,
        "bytes": [97],
        "top_logprobs": [{"token": "a", "logprob": -1.0, "bytes": [97]}],
    }
    claim = {"model": MODEL, "choices": [{"logprobs": {"content": [entry] * 1100}}]}
    verdict = validate_inference(backend(), {**REQUEST, "max_tokens": None}, claim)
    assert not verdict.passed and "context" in verdict.reason


def test_a_bad_request_body_or_model_raises():
    with pytest.raises(InvalidRequestError):
        validate_inference(backend(), {**REQUEST, "messages": []}, served())
    with pytest.raises(UnknownModelError):
        validate_inference(backend(), {**REQUEST, "model": "nope"}, served())


def test_thresholds_per_model():
    assert threshold_for(MODEL) == DEVNET_THRESHOLD == 0.99
    assert threshold_for("Qwen/Qwen2.5-7B-Instruct") == REFERENCE_THRESHOLD == 0.98
