"""Transaction encoding: message registry, building, canonical decoding, sign bytes.

A tx is accepted only in its canonical encoding: every level (TxRaw, TxBody,
AuthInfo, each Any's inner message, and any Any nested inside those) must
re-encode deterministically to exactly the bytes received. Unknown fields,
duplicated or reordered fields, non-minimal varints and explicit default
values all fail that check, so one tx has exactly one encoding and one hash.
Signature checking is separate (`verify_tx_signature`) so a node can verify
each tx once and cache the result.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from google.protobuf.any_pb2 import Any
from google.protobuf.message import DecodeError, Message

from node.core.errors import InvalidKey, TxCode, TxError
from node.core.hashing import tx_hash
from node.core.keys import SIGNATURE_BYTES, AccountKey, address_from_public_key, verify_signature
from node.proto.gonka.tx_pb2 import AuthInfo, SignDoc, TxBody, TxRaw

MAX_TX_BYTES = 1 << 20  # CometBFT's default max tx size
MAX_MEMO_BYTES = 256
MAX_CHAIN_ID_BYTES = 50  # CometBFT's MaxChainIDLen
# Bounds recursion through Any values wrapped in messages (e.g. an authz-style
# exec message carrying messages); each level is a separate parse.
MAX_ANY_DEPTH = 4
_UINT64_MAX = (1 << 64) - 1
_ANY_FULL_NAME = Any.DESCRIPTOR.full_name

_registry: dict[str, type[Message]] = {}


def _type_url(message_class: type[Message]) -> str:
    return "/" + message_class.DESCRIPTOR.full_name


def register_message(message_class: type[Message]) -> None:
    """Allow `message_class` inside txs under type_url "/" + its full protobuf name.

    Registering the same class again is a no-op; another class under the same
    name is an error (two modules would otherwise fight over one type_url).
    """
    if not (isinstance(message_class, type) and issubclass(message_class, Message)):
        raise TypeError(f"expected a protobuf message class, got {message_class!r}")
    type_url = _type_url(message_class)
    existing = _registry.setdefault(type_url, message_class)
    if existing is not message_class:
        raise ValueError(f"{type_url} is already registered to {existing.__module__}.{existing.__qualname__}")


def message_type_url(message: Message) -> str:
    """The type_url of a registered message; TxError(UNKNOWN_REQUEST) if it is not registered."""
    if not isinstance(message, Message):
        raise TypeError(f"expected a protobuf message, got {type(message).__name__}")
    type_url = _type_url(type(message))
    if _registry.get(type_url) is not type(message):
        raise TxError(TxCode.UNKNOWN_REQUEST, f"message type {type_url} is not registered")
    return type_url


@dataclass(frozen=True)
class DecodedTx:
    """A canonically encoded, structurally valid tx whose signature is not yet checked."""

    raw: bytes
    hash: str
    messages: tuple[Message, ...]
    memo: str
    public_key: bytes
    signer: str
    sequence: int
    body_bytes: bytes
    auth_info_bytes: bytes
    signature: bytes


def _check_uint64(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _UINT64_MAX:
        raise TxError(TxCode.INVALID_REQUEST, f"{name} must be an integer in [0, 2^64), got {value!r}")


def _check_memo(memo: str) -> None:
    if not isinstance(memo, str):
        raise TxError(TxCode.INVALID_REQUEST, f"memo must be a string, got {type(memo).__name__}")
    if len(memo.encode()) > MAX_MEMO_BYTES:
        raise TxError(TxCode.MEMO_TOO_LARGE, f"memo is over {MAX_MEMO_BYTES} bytes")


def _check_chain_id(chain_id: str) -> None:
    if not isinstance(chain_id, str) or not 0 < len(chain_id.encode()) <= MAX_CHAIN_ID_BYTES:
        raise TxError(TxCode.INVALID_CHAIN_ID, f"chain id must be 1 to {MAX_CHAIN_ID_BYTES} bytes, got {chain_id!r}")


def _encode(message: Message) -> bytes:
    return message.SerializeToString(deterministic=True)


def _parse_canonical(message_class: type[Message], data: bytes, what: str) -> Message:
    message = message_class()
    try:
        message.ParseFromString(data)
    except DecodeError as exc:
        raise TxError(TxCode.TX_DECODE, f"{what}: malformed protobuf ({exc})") from None
    # Unknown fields survive a parse/serialize round trip, so drop them first:
    # their presence then shows up as a byte mismatch.
    message.DiscardUnknownFields()
    if _encode(message) != data:
        raise TxError(TxCode.TX_DECODE, f"{what}: not in canonical encoding")
    return message


def _nested_anys(message: Message) -> Iterator[Any]:
    """Every Any inside `message` (not looking into the Anys themselves)."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            if field.message_type.fields_by_name["value"].message_type is None:
                continue
            items = list(value.values())
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            if item.DESCRIPTOR.full_name == _ANY_FULL_NAME:
                yield item
            else:
                yield from _nested_anys(item)


def _unpack(packed: Any, depth: int) -> Message:
    if depth > MAX_ANY_DEPTH:
        raise TxError(TxCode.TX_DECODE, f"messages nested more than {MAX_ANY_DEPTH} levels deep")
    message_class = _registry.get(packed.type_url)
    if message_class is None:
        raise TxError(TxCode.UNKNOWN_REQUEST, f"unknown message type {packed.type_url!r}")
    message = _parse_canonical(message_class, packed.value, packed.type_url)
    for inner in _nested_anys(message):
        _unpack(inner, depth + 1)
    return message


def unpack_message(packed: Any) -> Message:
    """Decode a registered message from an Any, with the same canonical checks as decode_tx."""
    return _unpack(packed, 1)


def sign_bytes(body_bytes: bytes, auth_info_bytes: bytes, chain_id: str, account_number: int) -> bytes:
    """The deterministic SignDoc encoding that the signer signs.

    It binds the chain id and account number directly and the sequence through
    `auth_info_bytes`, so a signature is valid for one chain, one account and one
    position in that account's tx sequence.
    """
    _check_chain_id(chain_id)
    _check_uint64("account number", account_number)
    doc = SignDoc(
        body_bytes=body_bytes, auth_info_bytes=auth_info_bytes, chain_id=chain_id, account_number=account_number
    )
    return _encode(doc)


def build_tx(
    key: AccountKey,
    chain_id: str,
    account_number: int,
    sequence: int,
    messages: Sequence[Message],
    memo: str = "",
) -> bytes:
    """A signed, canonically encoded tx carrying `messages` (all registered)."""
    if not messages:
        raise TxError(TxCode.INVALID_REQUEST, "a tx needs at least one message")
    _check_memo(memo)
    _check_uint64("sequence", sequence)
    packed = [Any(type_url=message_type_url(message), value=_encode(message)) for message in messages]
    body_bytes = _encode(TxBody(messages=packed, memo=memo))
    auth_info_bytes = _encode(AuthInfo(public_key=key.public_key, sequence=sequence))
    signature = key.sign(sign_bytes(body_bytes, auth_info_bytes, chain_id, account_number))
    return _encode(TxRaw(body_bytes=body_bytes, auth_info_bytes=auth_info_bytes, signature=signature))


def decode_tx(raw: bytes, max_bytes: int = MAX_TX_BYTES) -> DecodedTx:
    """Decode and structurally validate a tx; raises TxError with the rejection code.

    Does not check the signature (see verify_tx_signature) or any account state.
    """
    if not isinstance(raw, bytes):
        raise TxError(TxCode.TX_DECODE, f"tx must be bytes, got {type(raw).__name__}")
    if len(raw) > max_bytes:
        raise TxError(TxCode.TX_TOO_LARGE, f"tx is {len(raw)} bytes, limit {max_bytes}")
    tx_raw = _parse_canonical(TxRaw, raw, "TxRaw")
    body = _parse_canonical(TxBody, tx_raw.body_bytes, "TxBody")
    auth_info = _parse_canonical(AuthInfo, tx_raw.auth_info_bytes, "AuthInfo")
    if not body.messages:
        raise TxError(TxCode.INVALID_REQUEST, "tx has no messages")
    _check_memo(body.memo)
    messages = tuple(unpack_message(packed) for packed in body.messages)
    try:
        signer = address_from_public_key(auth_info.public_key)
    except InvalidKey as exc:
        raise TxError(TxCode.INVALID_PUBKEY, str(exc)) from None
    if len(tx_raw.signature) != SIGNATURE_BYTES:
        raise TxError(TxCode.UNAUTHORIZED, f"signature must be {SIGNATURE_BYTES} bytes")
    return DecodedTx(
        raw=raw,
        hash=tx_hash(raw),
        messages=messages,
        memo=body.memo,
        public_key=auth_info.public_key,
        signer=signer,
        sequence=auth_info.sequence,
        body_bytes=tx_raw.body_bytes,
        auth_info_bytes=tx_raw.auth_info_bytes,
        signature=tx_raw.signature,
    )


def verify_tx_signature(tx: DecodedTx, chain_id: str, account_number: int) -> bool:
    """True iff the tx was signed by its public key for this chain id and account number.

    An invalid `chain_id` or `account_number` is a caller bug and raises TxError.
    """
    data = sign_bytes(tx.body_bytes, tx.auth_info_bytes, chain_id, account_number)
    return verify_signature(tx.public_key, data, tx.signature)
