import pytest

from node.ml.inference.completion import CompletionBuilder
from node.ml.inference.runner import TokenLogprobs
from node.ml.inference.sampling import SamplingParams
from node.ml.inference.token_table import TokenTable

# A toy vocabulary: ids 0..5 are pieces, 6 is EOS (special), 7 is another special token.
TABLE = TokenTable([b"He", b"llo", b" wor", b"ld", b"\xc3", b"\xa9", b"<eos>", b"<x>"], special_ids=[6, 7])
EOS = frozenset({6})


def builder(max_tokens: int = 10, stop: tuple[str, ...] = ()) -> CompletionBuilder:
    params = SamplingParams(temperature=1.0, top_p=1.0, seed=0, max_tokens=max_tokens, top_logprobs=0)
    return CompletionBuilder([1, 2], params, TABLE, EOS, stop)


def feed(b: CompletionBuilder, ids: list[int]) -> list[bool]:
    return [b.push(TokenLogprobs(i, -1.0, ())) for i in ids]


def test_eos_finishes_with_stop_and_stays_out_of_the_text():
    b = builder()
    assert feed(b, [0, 1, 6]) == [False, False, True]
    assert (b.text, b.finish_reason, b.token_ids) == ("Hello", "stop", [0, 1, 6])


def test_max_tokens_finishes_with_length():
    b = builder(max_tokens=2)
    assert feed(b, [0, 1]) == [False, True]
    assert (b.text, b.finish_reason) == ("Hello", "length")


def test_a_stop_string_across_tokens_cuts_the_text_but_keeps_the_token():
    b = builder(stop=("lo w",))
    assert feed(b, [0, 1, 2]) == [False, False, True]
    assert (b.text, b.finish_reason, b.token_ids) == ("Hel", "stop", [0, 1, 2])


def test_special_tokens_are_not_text():
    b = builder()
    feed(b, [0, 7, 1, 6])
    assert b.text == "Hello"


def test_a_character_split_across_tokens_appears_once_whole():
    b = builder()
    feed(b, [4])
    assert b.take_text() == ""
    feed(b, [5])
    assert b.take_text() == "é"


def test_a_dangling_partial_character_becomes_a_replacement_character():
    b = builder(max_tokens=2)
    feed(b, [0, 4])
    assert b.text == "He\ufffd"


def test_streaming_holds_back_what_may_become_a_stop_string():
    b = builder(stop=("llo!", "Hel"))
    feed(b, [0])
    assert b.take_text() == ""  # "He" could still become "Hel"
    b = builder(stop=("llo!",))
    feed(b, [0, 1])
    assert b.take_text() == "He"  # "llo" could still become "llo!"
    feed(b, [6])
    assert b.take_text() == "llo"


def test_deltas_and_steps_are_handed_out_once():
    b = builder()
    feed(b, [0, 1])
    assert [s.token_id for s in b.take_steps()] == [0, 1]
    assert b.take_steps() == []
    assert b.take_text() == "Hello" and b.take_text() == ""


def test_pushing_after_the_end_is_a_bug():
    b = builder(max_tokens=1)
    feed(b, [0])
    with pytest.raises(RuntimeError):
        feed(b, [1])
