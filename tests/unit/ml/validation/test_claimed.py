import copy

import pytest

from node.ml.inference.token_table import TokenTable
from node.ml.validation.claimed import ClaimRejected, read_claim

TABLE = TokenTable([b"a", b"b", b" c", b"\xc3", b"<e>"], special_ids=[4])


def entry(token_id: int, logprob: float, top: list[tuple[int, float]]) -> dict:
    def one(i: int, lp: float) -> dict:
        return {"token": TABLE.text_of(i), "logprob": lp, "bytes": list(TABLE.bytes_of(i))}

    return {**one(token_id, logprob), "top_logprobs": [one(i, lp) for i, lp in top]}


RESPONSE = {
    "model": "m",
    "choices": [
        {
            "token_ids": [0, 3],
            "logprobs": {"content": [entry(0, -0.1, [(0, -0.1), (1, -2.0)]), entry(3, -1.0, [(2, -0.5), (3, -1.0)])]},
        }
    ],
}


def changed(path: list, value) -> dict:
    response = copy.deepcopy(RESPONSE)
    target = response
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return response


def test_ids_and_top_logprobs_are_read_by_token_bytes():
    claim = read_claim(RESPONSE, TABLE)
    assert claim.model == "m" and claim.token_ids == (0, 3)
    assert claim.tops == ({0: -0.1, 1: -2.0}, {2: -0.5, 3: -1.0})


def test_without_token_ids_the_bytes_identify_the_tokens():
    response = copy.deepcopy(RESPONSE)
    del response["choices"][0]["token_ids"]
    assert read_claim(response, TABLE).token_ids == (0, 3)


def test_alternatives_the_model_lacks_match_nothing():
    response = copy.deepcopy(RESPONSE)
    response["choices"][0]["logprobs"]["content"][0]["top_logprobs"].append(
        {"token": "zz", "logprob": -3.0, "bytes": [122, 122]}
    )
    assert read_claim(response, TABLE).tops[0] == {0: -0.1, 1: -2.0}


def test_stream_chunks_are_assembled():
    content = RESPONSE["choices"][0]["logprobs"]["content"]
    chunks = [
        {"model": "m", "choices": [{"delta": {"role": "assistant"}, "logprobs": None, "token_ids": []}]},
        {
            "model": "m",
            "choices": [{"delta": {"content": "a"}, "logprobs": {"content": content[:1]}, "token_ids": [0]}],
        },
        {"model": "m", "choices": [{"delta": {"content": ""}, "logprobs": {"content": content[1:]}, "token_ids": [3]}]},
        {"model": "m", "choices": [], "usage": {}},
    ]
    assert read_claim(chunks, TABLE) == read_claim(RESPONSE, TABLE)


@pytest.mark.parametrize(
    ("response", "match"),
    [
        ("text", "not a JSON object"),
        ({"choices": []}, "no choices"),
        (changed(["choices", 0, "logprobs"], None), "no per-token logprobs"),
        (changed(["choices", 0, "logprobs", "content"], []), "no per-token logprobs"),
        (changed(["choices", 0, "token_ids"], [0]), "1 token ids but 2 logprobs entries"),
        (changed(["choices", 0, "token_ids"], [0, 2]), "disagrees"),
        (changed(["choices", 0, "token_ids"], [0, 99]), "disagrees"),
        (changed(["choices", 0, "token_ids"], "0,3"), "not a list"),
        (changed(["choices", 0, "logprobs", "content", 1, "bytes"], [1, 2, 3]), "disagrees"),
        (changed(["choices", 0, "logprobs", "content", 0, "top_logprobs"], None), "not a list"),
        (changed(["choices", 0, "logprobs", "content", 0, "top_logprobs", 0, "logprob"], 0.5), "<= 0"),
        (changed(["choices", 0, "logprobs", "content", 0, "top_logprobs", 0, "logprob"], float("nan")), "<= 0"),
        ([{"model": "m", "choices": []}, "junk"], "chunk"),
    ],
)
def test_malformed_claims_are_rejected_with_a_reason(response, match):
    with pytest.raises(ClaimRejected, match=match):
        read_claim(response, TABLE)


def test_an_unknown_token_without_ids_is_rejected():
    response = changed(["choices", 0, "logprobs", "content", 0, "bytes"], [122])
    del response["choices"][0]["token_ids"]
    with pytest.raises(ClaimRejected, match="does not have"):
        read_claim(response, TABLE)
