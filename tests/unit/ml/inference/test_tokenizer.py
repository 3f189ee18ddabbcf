import pytest
from tokenizers import AddedToken, Tokenizer, decoders, models
from transformers import PreTrainedTokenizerFast

from node.ml.inference.errors import ModelLoadError
from node.ml.inference.token_table import TokenTable
from node.ml.inference.tokenizer import DEVNET_VOCAB_SIZE, EOS, SPECIAL_TOKENS, build_devnet_tokenizer

TEXTS = ["What is the proof of work?", "  spaces\tand\nnewlines ", "héllo 日本 🙂", "\x00\xff bytes"]


@pytest.fixture(scope="module")
def tokenizer():
    return build_devnet_tokenizer()


def test_vocabulary_is_fixed_and_identical_on_every_build(tokenizer):
    again = build_devnet_tokenizer()
    assert len(tokenizer) == DEVNET_VOCAB_SIZE
    assert tokenizer.get_vocab() == again.get_vocab()
    # Golden ids: a changed word list or merge order would break every node's agreement.
    assert tokenizer.encode("the proof of work", add_special_tokens=False) == [116, 104, 101, 780, 111, 102, 260, 509]
    assert tokenizer.convert_tokens_to_ids(list(SPECIAL_TOKENS)) == list(range(1018, 1024))


@pytest.mark.parametrize("text", TEXTS)
def test_any_text_round_trips(tokenizer, text):
    ids = tokenizer.encode(text, add_special_tokens=False)
    assert tokenizer.decode(ids) == text


def test_common_words_are_single_tokens(tokenizer):
    assert len(tokenizer.encode(" the which would", add_special_tokens=False)) == 3


def test_chat_template_marks_roles_and_opens_the_assistant_turn(tokenizer):
    messages = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert text == "<|begin|><|system|>\nbe brief<|end|>\n<|user|>\nhi<|end|>\n<|assistant|>\n"
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
    assert ids[:2] == [tokenizer.bos_token_id, tokenizer.convert_tokens_to_ids("<|system|>")]
    assert tokenizer.eos_token == EOS


def test_token_table_gives_each_id_its_exact_bytes(tokenizer):
    table = TokenTable.from_tokenizer(tokenizer)
    assert len(table) == DEVNET_VOCAB_SIZE
    assert len(set(table.pieces)) == DEVNET_VOCAB_SIZE  # bytes identify a token uniquely
    for text in TEXTS:
        ids = tokenizer.encode(text, add_special_tokens=False)
        assert b"".join(table.bytes_of(i) for i in ids) == text.encode()
    for token_id in range(DEVNET_VOCAB_SIZE):
        assert table.id_of(table.bytes_of(token_id)) == token_id
    assert table.special_ids == frozenset(range(1018, 1024))


def test_token_text_shows_partial_utf8_unambiguously(tokenizer):
    table = TokenTable.from_tokenizer(tokenizer)
    first, second = tokenizer.encode("é", add_special_tokens=False)
    assert (table.text_of(first), table.text_of(second)) == ("\\xc3", "\\xa9")
    assert table.bytes_of(10_000) == b"" and table.id_of(b"") is None


def test_token_table_reads_sentencepiece_style_vocabularies():
    vocab = {"<unk>": 0, "▁the": 1, "a": 2, "<0xC3>": 3, "<0xA9>": 4}
    backend = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    backend.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()])
    backend.add_special_tokens([AddedToken("</s>", special=True)])
    table = TokenTable.from_tokenizer(PreTrainedTokenizerFast(tokenizer_object=backend))
    assert [table.bytes_of(i) for i in range(1, 6)] == [b" the", b"a", b"\xc3", b"\xa9", b"</s>"]
    assert table.special_ids == frozenset({5})


def test_a_tokenizer_without_tokenizer_json_is_refused():
    class Slow:
        pass

    with pytest.raises(ModelLoadError, match="fast tokenizer"):
        TokenTable.from_tokenizer(Slow())  # type: ignore[arg-type]
