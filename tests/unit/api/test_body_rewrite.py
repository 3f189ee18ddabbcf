"""The executor's rewrite of a request body (reference completionapi/request.go) and the TA's prompt estimate."""

from __future__ import annotations

import json

import pytest
from fastapi import HTTPException

from node.api.executor import ml_body, prompt_text, requested_max_tokens, rewrite_body
from node.api.inference_txs import canonical_json, sha256_hex

BASE = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


def test_defaults_are_filled_in() -> None:
    payload = rewrite_body(BASE, seed=99, default_max_tokens=5000)
    assert payload == BASE | {"logprobs": True, "top_logprobs": 5, "max_tokens": 5000, "seed": 99}
    assert "stream_options" not in payload


def test_the_developers_choices_are_kept_where_the_reference_keeps_them() -> None:
    body = BASE | {"logprobs": False, "top_logprobs": 8, "max_tokens": 40, "seed": 3}
    payload = rewrite_body(body, seed=99, default_max_tokens=5000)
    assert (payload["logprobs"], payload["top_logprobs"], payload["max_tokens"], payload["seed"]) == (True, 8, 40, 3)
    assert rewrite_body(BASE | {"top_logprobs": 2}, 1, 5000)["top_logprobs"] == 5


def test_max_completion_tokens_wins_and_becomes_max_tokens() -> None:
    payload = rewrite_body(BASE | {"max_tokens": 10, "max_completion_tokens": 20}, 1, 5000)
    assert payload["max_tokens"] == 20 and "max_completion_tokens" not in payload


def test_streams_report_usage() -> None:
    payload = rewrite_body(BASE | {"stream": True, "stream_options": {"other": 1}}, 1, 5000)
    assert payload["stream_options"] == {"other": 1, "include_usage": True}


def test_the_original_body_is_not_touched() -> None:
    body = json.loads(json.dumps(BASE | {"stream": True}))
    rewrite_body(body, 1, 5000)
    assert body == BASE | {"stream": True}


def test_malformed_top_logprobs_is_left_for_the_ml_node_to_refuse() -> None:
    assert rewrite_body(BASE | {"top_logprobs": "many"}, 1, 5000)["top_logprobs"] == "many"


@pytest.mark.parametrize("value", [0, -3, "10", 2.5, True])
def test_bad_max_tokens_is_400(value: object) -> None:
    with pytest.raises(HTTPException) as refused:
        requested_max_tokens(BASE | {"max_tokens": value}, 5000)
    assert refused.value.status_code == 400


def test_prompt_text_concatenates_message_contents() -> None:
    body = {
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "hi "}, {"type": "text", "text": "there"}]},
            {"role": "user"},
            "junk",
        ]
    }
    assert prompt_text(body) == "be briefhi there"
    assert prompt_text({"messages": "junk"}) == ""


def test_ml_copy_leaves_out_a_max_tokens_beyond_the_context() -> None:
    payload = rewrite_body(BASE, 1, 5000)
    assert "max_tokens" not in ml_body(payload, context_length=1024)
    assert ml_body(payload | {"max_tokens": 100}, context_length=1024)["max_tokens"] == 100


def test_prompt_payload_is_canonical() -> None:
    a = canonical_json({"b": 1, "a": ["é", 2.5]})
    assert a == '{"a":["é",2.5],"b":1}'
    assert sha256_hex(a) == sha256_hex(canonical_json({"a": ["é", 2.5], "b": 1}))
