import pytest

from node.ml.inference import ChatMessage, ChatRequest, InvalidRequestError

GOOD = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def test_minimal_body_takes_openai_defaults():
    request = ChatRequest.from_openai(GOOD)
    assert request.messages == (ChatMessage("user", "hi"),)
    assert (request.max_tokens, request.temperature, request.top_p, request.seed) == (None, 1.0, 1.0, None)
    assert (request.logprobs, request.top_logprobs, request.stream, request.stop) == (False, 0, False, ())


def test_full_body_is_read_field_by_field():
    request = ChatRequest.from_openai(
        {
            **GOOD,
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
            ],
            "max_completion_tokens": 7,
            "max_tokens": 99,
            "temperature": 0,
            "top_p": 0.5,
            "seed": -3,
            "stop": "END",
            "logprobs": True,
            "top_logprobs": 20,
            "stream": True,
            "stream_options": {"include_usage": True},
            "user": "ignored",
            "n": 1,
        }
    )
    assert request.messages[1] == ChatMessage("user", "ab")
    assert request.max_tokens == 7  # max_completion_tokens wins, as in vLLM
    assert (request.temperature, request.top_p, request.seed, request.stop) == (0.0, 0.5, -3, ("END",))
    assert (request.top_logprobs, request.include_usage) == (20, True)


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"model": ""}, "model"),
        ({"model": 3}, "model"),
        ({"messages": []}, "messages"),
        ({"messages": "hi"}, "messages"),
        ({"messages": None}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "user"}]}, "messages[0].content"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, "messages[0].content"),
        ({"messages": ["hi"]}, "messages[0]"),
        ({"max_tokens": -1}, "max_tokens"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 2.5}, "max_tokens"),
        ({"max_tokens": True}, "max_tokens"),
        ({"max_completion_tokens": -5}, "max_completion_tokens"),
        ({"temperature": -0.1}, "temperature"),
        ({"temperature": 2.5}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"temperature": "hot"}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"top_p": 1.5}, "top_p"),
        ({"seed": 1.5}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"stop": [""]}, "stop"),
        ({"stop": 5}, "stop"),
        ({"logprobs": "yes"}, "logprobs"),
        ({"logprobs": True, "top_logprobs": 21}, "top_logprobs"),
        ({"logprobs": True, "top_logprobs": -1}, "top_logprobs"),
        ({"top_logprobs": 5}, "top_logprobs"),  # without logprobs=true
        ({"n": 2}, "n"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),  # without stream=true
        ({"stream": True, "stream_options": {"include_usage": 1}}, "stream_options.include_usage"),
    ],
)
def test_bad_fields_raise_naming_the_field(change, param):
    with pytest.raises(InvalidRequestError) as info:
        ChatRequest.from_openai({**GOOD, **change})
    assert info.value.param == param
    assert info.value.http_status == 400
    assert info.value.to_openai()["error"]["param"] == param


def test_a_body_that_is_not_an_object_is_rejected():
    with pytest.raises(InvalidRequestError, match="JSON object"):
        ChatRequest.from_openai(["not", "a", "dict"])
