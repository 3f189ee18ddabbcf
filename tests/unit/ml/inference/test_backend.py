import math

import pytest

from node.ml.inference import (
    ChatMessage,
    ChatRequest,
    InvalidRequestError,
    PromptTooLongError,
    UnknownModelError,
)

from .backends import MODEL, backend, body


def chat(**overrides):
    return backend().chat(ChatRequest.from_openai(body(**overrides)))


def test_models_lists_the_default_model_with_its_fingerprint():
    [info] = backend().models()
    assert info.id == MODEL and info.fingerprint.startswith("sha256:") and info.context_length == 1024
    assert info.to_openai()["object"] == "model"


def test_a_completion_has_the_openai_shape_with_top_logprobs_and_usage():
    result = chat(max_tokens=12)
    response = result.response
    assert response["object"] == "chat.completion" and response["id"].startswith("chatcmpl-")
    assert response["model"] == MODEL
    [choice] = response["choices"]
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"] == result.text
    assert choice["finish_reason"] in ("stop", "length")
    content = choice["logprobs"]["content"]
    assert len(content) == len(result.completion_token_ids) == choice["token_ids"].__len__()
    assert response["usage"] == {
        "prompt_tokens": len(result.prompt_token_ids),
        "completion_tokens": len(content),
        "total_tokens": len(result.prompt_token_ids) + len(content),
    }
    tokens = backend().token_table(MODEL)
    for token_id, entry in zip(result.completion_token_ids, content):
        assert bytes(entry["bytes"]) == tokens.bytes_of(token_id)
        assert entry["token"] == tokens.text_of(token_id)
        top = entry["top_logprobs"]
        assert len(top) == 5
        values = [t["logprob"] for t in top]
        assert values == sorted(values, reverse=True) and all(v <= 0 for v in values)
        assert entry["logprob"] <= values[0] + 1e-6
        same = [t["logprob"] for t in top if t["bytes"] == entry["bytes"]]
        assert all(math.isclose(v, entry["logprob"], abs_tol=1e-6) for v in same)
    text = b"".join(tokens.bytes_of(i) for i in result.completion_token_ids if i not in tokens.special_ids)
    assert result.text == text.decode("utf-8", errors="replace")


def test_logprobs_are_left_out_unless_asked_for():
    result = chat(logprobs=False, top_logprobs=None, max_tokens=3)
    assert result.response["choices"][0]["logprobs"] is None


def test_the_same_seed_gives_the_same_completion_and_another_seed_another():
    first, again, other = chat(seed=42, max_tokens=20), chat(seed=42, max_tokens=20), chat(seed=43, max_tokens=20)
    assert first.completion_token_ids == again.completion_token_ids
    assert first.response["choices"][0]["logprobs"] == again.response["choices"][0]["logprobs"]
    assert first.completion_token_ids != other.completion_token_ids


def test_greedy_decoding_follows_the_top_logprob():
    result = chat(temperature=0, max_tokens=10)
    for entry in result.response["choices"][0]["logprobs"]["content"]:
        assert entry["bytes"] == entry["top_logprobs"][0]["bytes"]


def test_stop_strings_end_the_text_early():
    free = chat(seed=3, max_tokens=24)
    cut_at = free.text[4:7]
    stopped = chat(seed=3, max_tokens=24, stop=[cut_at])
    assert stopped.finish_reason == "stop"
    assert stopped.text == free.text[: free.text.index(cut_at)]
    # The token that completed the stop string is kept: validation checks tokens, not text.
    n = len(stopped.completion_token_ids)
    assert stopped.completion_token_ids == free.completion_token_ids[:n]


def test_a_stream_carries_the_same_completion_in_chunks():
    unary = chat(seed=9, max_tokens=20)
    chunks = list(
        backend().chat_stream(
            ChatRequest.from_openai(body(seed=9, max_tokens=20, stream=True, stream_options={"include_usage": True}))
        )
    )
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == MODEL for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    body_chunks = [c for c in chunks[1:] if c["choices"]]
    assert "".join(c["choices"][0]["delta"]["content"] for c in body_chunks) == unary.text
    streamed = [e for c in body_chunks for e in c["choices"][0]["logprobs"]["content"]]
    assert streamed == unary.response["choices"][0]["logprobs"]["content"]
    assert [t for c in body_chunks for t in c["choices"][0]["token_ids"]] == list(unary.completion_token_ids)
    assert [c["choices"][0]["finish_reason"] for c in body_chunks][-1] == unary.finish_reason
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == unary.response["usage"]


def test_an_abandoned_stream_releases_the_model():
    stream = backend().chat_stream(ChatRequest.from_openai(body(max_tokens=50)))
    next(stream), next(stream)
    stream.close()
    assert chat(max_tokens=2).completion_token_ids  # would block forever if the lock were held


def test_a_batch_gives_each_request_its_own_seeded_completion():
    requests = [
        ChatRequest.from_openai(body(content=c, seed=s, max_tokens=12))
        for c, s in [("a", 1), ("longer prompt here", 2), ("a", 1)]
    ]
    batch = backend().chat_batch(requests)
    singles = [backend().chat(r) for r in requests]
    assert batch[0].completion_token_ids == batch[2].completion_token_ids
    for b, s in zip(batch, singles):
        assert b.completion_token_ids == s.completion_token_ids
        got = [e["logprob"] for e in b.response["choices"][0]["logprobs"]["content"]]
        want = [e["logprob"] for e in s.response["choices"][0]["logprobs"]["content"]]
        assert got == pytest.approx(want, abs=1e-4)


def test_score_reproduces_the_logprobs_of_generation():
    result = chat(seed=5, max_tokens=24)
    request = ChatRequest.from_openai(body(seed=5, max_tokens=24))
    scored = backend().score(MODEL, request.messages, result.completion_token_ids, 5)
    content = result.response["choices"][0]["logprobs"]["content"]
    assert [s.token_id for s in scored] == list(result.completion_token_ids)
    for step, entry in zip(scored, content):
        assert step.logprob == pytest.approx(entry["logprob"], abs=1e-4)
        assert [lp for _, lp in step.top] == pytest.approx([t["logprob"] for t in entry["top_logprobs"]], abs=1e-4)


def test_unknown_model_is_a_typed_error():
    with pytest.raises(UnknownModelError, match="gpt-4o"):
        chat(model="gpt-4o")
    with pytest.raises(UnknownModelError):
        backend().score("gpt-4o", [ChatMessage("user", "x")], [1], 5)


def test_a_prompt_longer_than_the_context_is_a_typed_error():
    with pytest.raises(PromptTooLongError) as info:
        chat(content="x" * 1100)
    assert info.value.context_length == 1024 and info.value.http_status == 400
    with pytest.raises(PromptTooLongError):
        chat(content="short", max_tokens=1020)
    with pytest.raises(PromptTooLongError):
        backend().chat_stream(ChatRequest.from_openai(body(content="x" * 1100, stream=True)))  # raised before any chunk


@pytest.mark.parametrize(
    ("ids", "top_k", "param"),
    [([1, 5000], 5, "completion_token_ids"), ([-1], 5, "completion_token_ids"), ([1], 21, "top_k"), ([1], -1, "top_k")],
)
def test_score_rejects_bad_arguments(ids, top_k, param):
    with pytest.raises(InvalidRequestError) as info:
        backend().score(MODEL, [ChatMessage("user", "x")], ids, top_k)
    assert info.value.param == param
