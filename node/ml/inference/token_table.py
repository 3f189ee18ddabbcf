"""The exact bytes of every token id, for OpenAI's `bytes` field and for matching tokens.

OpenAI's logprob entries name tokens by text and bytes, never by id. Text is ambiguous (every
lone UTF-8 continuation byte renders as U+FFFD) but a token's bytes are not, so the validator
maps an executor's top-k entries back to ids through their bytes. This table is built once
per tokenizer: byte-level vocabularies (GPT-2, Llama 3, Qwen, the devnet tokenizer) decode
through the byte alphabet; SentencePiece vocabularies through "▁" and "<0xNN>" pieces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Any

from transformers import PreTrainedTokenizerBase

from node.ml.inference.errors import ModelLoadError
from node.ml.inference.tokenizer import byte_alphabet

_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


class TokenTable:
    """Token id -> bytes, bytes -> id, and which ids are special (left out of the text)."""

    def __init__(self, pieces: Sequence[bytes], special_ids: Iterable[int]) -> None:
        self.pieces = tuple(pieces)
        self.special_ids = frozenset(special_ids)
        self._by_bytes: dict[bytes, int] = {}
        for token_id, piece in enumerate(self.pieces):
            if piece:
                self._by_bytes.setdefault(piece, token_id)  # the lowest id wins a (rare) tie

    @classmethod
    def from_tokenizer(cls, tokenizer: PreTrainedTokenizerBase) -> TokenTable:
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is None:
            raise ModelLoadError("the tokenizer has no tokenizer.json (a fast tokenizer is required)")
        decoder_types = set(_decoder_types(json.loads(backend.to_str()).get("decoder")))
        vocab: dict[str, int] = backend.get_vocab(with_added_tokens=False)
        added = backend.get_added_tokens_decoder()
        pieces = [b""] * (max([*vocab.values(), *added.keys()], default=-1) + 1)
        to_bytes = _byte_level_bytes if "ByteLevel" in decoder_types else _sentencepiece_bytes
        for token, token_id in vocab.items():
            pieces[token_id] = to_bytes(token)
        for token_id, token in added.items():
            pieces[token_id] = token.content.encode("utf-8")
        special = frozenset(i for i, t in added.items() if t.special)
        return cls(pieces, special)

    def __len__(self) -> int:
        return len(self.pieces)

    def bytes_of(self, token_id: int) -> bytes:
        """The token's bytes; b"" for ids the tokenizer does not know (padded embedding rows)."""
        return self.pieces[token_id] if 0 <= token_id < len(self.pieces) else b""

    def text_of(self, token_id: int) -> str:
        """A readable, unambiguous text: partial UTF-8 shows as backslash escapes."""
        return self.bytes_of(token_id).decode("utf-8", errors="backslashreplace")

    def id_of(self, piece: bytes) -> int | None:
        """The id whose bytes are `piece`, if any."""
        return self._by_bytes.get(piece) if piece else None


def _decoder_types(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "type" in node:
            yield node["type"]
        for child in node.get("decoders") or ():
            yield from _decoder_types(child)


def _byte_level_bytes(token: str) -> bytes:
    inverse = _inverse_alphabet()
    return b"".join(bytes([inverse[ch]]) if ch in inverse else ch.encode("utf-8") for ch in token)


def _sentencepiece_bytes(token: str) -> bytes:
    match = _BYTE_PIECE.fullmatch(token)
    if match:
        return bytes([int(match.group(1), 16)])
    return token.replace("▁", " ").encode("utf-8")


@cache
def _inverse_alphabet() -> dict[str, int]:
    return {ch: b for b, ch in enumerate(byte_alphabet())}
