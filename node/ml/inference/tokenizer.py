"""The devnet tokenizer: a byte-level BPE built in code, so nothing is downloaded.

The vocabulary is the 256 bytes (GPT-2's printable byte alphabet), then one merge chain per
word of a fixed English word list (" the" = "Ġ"+"t" -> "Ġt", "Ġt"+"h" -> "Ġth", ...), then six
special tokens. Every left side of a merge starts with "Ġ", so chains never compete and any
text round-trips. The result is identical on every machine and tokenizers version, which is
what lets two nodes agree on token ids without sharing files.
"""

from __future__ import annotations

from functools import cache

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

DEVNET_VOCAB_SIZE = 1024
BOS, EOS, PAD = "<|begin|>", "<|end|>", "<|pad|>"
ROLE_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>")
SPECIAL_TOKENS = (BOS, EOS, PAD, *ROLE_TOKENS)

CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

_WORDS = """
the of and to in is was that for on with as by at it he his from be are this which or an had not
were but have they one their she her all there been has when who would more will we if so what
out about up can its into some them other than then time only new could these two may first any
like over such our after most also made did many before must through back years where much your
way well down should because each just those people how too little state good very make world
still own see men work long get here between both life being under never day same another know
while last might us great old year off come since against go came right used take three states
himself few house use during without again place around however home small found thought went
say part once general high upon school every does got united left number course war until always
away something fact though water less public put think almost hand enough far took head yet
government system better set told nothing night end why called didn find look asked later point
next program city business give group toward young days let room president side social given
present several order national possible rather second face per among form important often things
looked early white case john become large big need four within felt along children saw best
church ever least power development light thing seemed family interest want members mind country
area others done turned although open problem sense help certain began kind court whole word
mean line name hard know short node chain model token block proof work seed hash weight vote
epoch random value data train learn market money price share stake reward host user agent code
test
""".split()


@cache
def byte_alphabet() -> tuple[str, ...]:
    """GPT-2's byte -> printable character table: index b holds the character for byte b.

    Printable Latin-1 bytes stand for themselves; the other 68 bytes are shifted to 256+n so
    that every byte is a visible, non-whitespace character inside a vocabulary string.
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table: dict[int, str] = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + shifted)
            shifted += 1
    return tuple(table[b] for b in range(256))


def _vocab_and_merges() -> tuple[dict[str, int], list[tuple[str, str]]]:
    alphabet = byte_alphabet()
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    merges: list[tuple[str, str]] = []
    budget = DEVNET_VOCAB_SIZE - len(SPECIAL_TOKENS)
    space = alphabet[ord(" ")]
    for word in _WORDS:
        prefix = space
        for ch in word:
            joined = prefix + ch
            if joined not in vocab:
                if len(vocab) == budget:
                    return vocab, merges
                vocab[joined] = len(vocab)
                merges.append((prefix, ch))
            prefix = joined
    raise AssertionError(f"word list too short: vocabulary stops at {len(vocab)} of {budget}")


def build_devnet_tokenizer() -> PreTrainedTokenizerFast:
    """A fresh devnet tokenizer with its chat template (1024 ids, EOS `<|end|>`)."""
    vocab, merges = _vocab_and_merges()
    backend = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        chat_template=CHAT_TEMPLATE,
        model_max_length=2**31,
    )
    assert len(tokenizer) == DEVNET_VOCAB_SIZE, len(tokenizer)
    return tokenizer
