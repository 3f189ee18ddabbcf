"""Tx building, decoding, rejection codes and sign-bytes binding."""

import hashlib

import pytest
from google.protobuf.any_pb2 import Any
from google.protobuf.wrappers_pb2 import Int64Value

from node.core import tx as txmod
from node.core.errors import TxCode, TxError
from node.core.keys import AccountKey
from node.core.tx import (
    DecodedTx,
    build_tx,
    decode_tx,
    message_type_url,
    register_message,
    sign_bytes,
    unpack_message,
    verify_tx_signature,
)
from node.proto.gonka.tx_pb2 import AuthInfo, TxBody, TxRaw

from .messages import Exec, Labels, StringValue, Unregistered, impostor_string_value_class, packed
from .protowire import len_field, varint_field

CHAIN = "gonka-devnet-1"
KEY = AccountKey.from_private_hex("11" * 32)


def build(messages=(StringValue(value="hello"),), *, sequence=7, account_number=3, memo="", chain_id=CHAIN, key=KEY):
    return build_tx(key, chain_id, account_number, sequence, list(messages), memo)


def wire_tx(body: bytes, auth: bytes, signature: bytes = bytes(64)) -> bytes:
    """A canonical TxRaw spelled by hand (empty fields omitted, as proto3 does)."""
    fields = ((1, body), (2, auth), (3, signature))
    return b"".join(len_field(number, value) for number, value in fields if value)


def wire_body(*anys: bytes, memo: bytes = b"") -> bytes:
    return b"".join(len_field(1, a) for a in anys) + (len_field(2, memo) if memo else b"")


def wire_any(type_url: str, value: bytes) -> bytes:
    return (len_field(1, type_url.encode()) if type_url else b"") + (len_field(2, value) if value else b"")


HELLO = wire_any("/google.protobuf.StringValue", len_field(1, b"hello"))
AUTH = len_field(1, KEY.public_key) + varint_field(2, 7)


def code_of(raw: bytes, **kwargs) -> TxCode:
    with pytest.raises(TxError) as info:
        decode_tx(raw, **kwargs)
    return info.value.code


# --- registry ------------------------------------------------------------------
def test_type_urls_are_slash_full_name():
    assert message_type_url(StringValue(value="x")) == "/google.protobuf.StringValue"
    assert message_type_url(Exec()) == "/gonka.coretest.Exec"


def test_registering_again_is_idempotent_but_impostors_are_refused():
    register_message(StringValue)
    impostor = impostor_string_value_class()
    with pytest.raises(ValueError, match="already registered"):
        register_message(impostor)
    assert message_type_url(StringValue()) == "/google.protobuf.StringValue"
    with pytest.raises(TxError) as info:
        message_type_url(impostor(value="x"))
    assert info.value.code is TxCode.UNKNOWN_REQUEST


def test_registry_rejects_non_messages_and_unregistered_types():
    with pytest.raises(TypeError):
        register_message(dict)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        message_type_url("not a message")  # type: ignore[arg-type]
    with pytest.raises(TxError) as info:
        message_type_url(Unregistered(note="x"))
    assert info.value.code is TxCode.UNKNOWN_REQUEST


# --- round trip ------------------------------------------------------------------
def test_build_then_decode_round_trips():
    raw = build([StringValue(value="a"), StringValue(value="b")], memo="héllo")
    tx = decode_tx(raw)
    assert isinstance(tx, DecodedTx)
    assert tx.raw == raw
    assert tx.hash == hashlib.sha256(raw).hexdigest().upper()
    assert [m.value for m in tx.messages] == ["a", "b"]
    assert tx.memo == "héllo"
    assert tx.public_key == KEY.public_key
    assert tx.signer == KEY.address
    assert tx.sequence == 7
    assert TxRaw(body_bytes=tx.body_bytes, auth_info_bytes=tx.auth_info_bytes, signature=tx.signature).SerializeToString() == raw
    assert verify_tx_signature(tx, CHAIN, 3)


def test_build_is_deterministic_and_matches_hand_encoding():
    raw = build()
    assert raw == build()
    tx = decode_tx(raw)
    assert tx.body_bytes == wire_body(HELLO)
    assert tx.auth_info_bytes == AUTH
    assert raw == wire_tx(wire_body(HELLO), AUTH, tx.signature)


def test_sign_bytes_is_the_hand_encoded_sign_doc():
    expected = len_field(1, b"B") + len_field(2, b"A") + len_field(3, CHAIN.encode()) + varint_field(4, 300)
    assert sign_bytes(b"B", b"A", CHAIN, 300) == expected
    # Account number 0 is a proto3 default and is omitted, like in Cosmos.
    assert sign_bytes(b"B", b"A", CHAIN, 0) == expected[: -len(varint_field(4, 300))]


# --- sign bytes bind chain id, account number and sequence -----------------------------
def test_signature_is_bound_to_chain_id_and_account_number():
    tx = decode_tx(build())
    assert verify_tx_signature(tx, CHAIN, 3)
    assert not verify_tx_signature(tx, CHAIN + "x", 3)
    assert not verify_tx_signature(tx, "gonka-mainnet", 3)
    assert not verify_tx_signature(tx, CHAIN, 4)
    assert not verify_tx_signature(tx, CHAIN, 0)


def test_signature_is_bound_to_sequence_body_and_key():
    original = decode_tx(build(sequence=7))
    resequenced = AuthInfo(public_key=KEY.public_key, sequence=8).SerializeToString()
    replayed = decode_tx(wire_tx(original.body_bytes, resequenced, original.signature))
    assert replayed.sequence == 8
    assert not verify_tx_signature(replayed, CHAIN, 3)

    other_body = wire_body(wire_any("/google.protobuf.StringValue", len_field(1, b"hellp")))
    assert not verify_tx_signature(decode_tx(wire_tx(other_body, original.auth_info_bytes, original.signature)), CHAIN, 3)

    other_key = AccountKey.generate()
    stolen_auth = AuthInfo(public_key=other_key.public_key, sequence=7).SerializeToString()
    stolen = decode_tx(wire_tx(original.body_bytes, stolen_auth, original.signature))
    assert stolen.signer == other_key.address
    assert not verify_tx_signature(stolen, CHAIN, 3)


def test_high_s_twin_of_a_tx_signature_is_rejected():
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    tx = decode_tx(build())
    s = int.from_bytes(tx.signature[32:], "big")
    twin = decode_tx(wire_tx(tx.body_bytes, tx.auth_info_bytes, tx.signature[:32] + (n - s).to_bytes(32, "big")))
    assert twin.hash != tx.hash
    assert not verify_tx_signature(twin, CHAIN, 3)


@pytest.mark.parametrize("chain_id", ["", "x" * 51, None])
def test_invalid_chain_id_is_refused(chain_id):
    with pytest.raises(TxError) as info:
        sign_bytes(b"", b"", chain_id, 1)
    assert info.value.code is TxCode.INVALID_CHAIN_ID
    with pytest.raises(TxError):
        verify_tx_signature(decode_tx(build()), chain_id, 3)


# --- rejection codes -------------------------------------------------------------------
def test_oversized_is_rejected_before_parsing():
    assert code_of(b"\xff" * 101, max_bytes=100) is TxCode.TX_TOO_LARGE
    raw = build()
    assert code_of(raw, max_bytes=len(raw) - 1) is TxCode.TX_TOO_LARGE
    assert decode_tx(raw, max_bytes=len(raw)).raw == raw


@pytest.mark.parametrize("raw", [b"\xff", b"\x0a\x05ab", b"\x0a", b"\x80" * 11, b"\x0b"])
def test_malformed_protobuf_is_tx_decode(raw):
    assert code_of(raw) is TxCode.TX_DECODE


def test_non_bytes_is_tx_decode():
    assert code_of(bytearray(build())) is TxCode.TX_DECODE  # type: ignore[arg-type]


SIG = bytes(range(64))


@pytest.mark.parametrize(
    "raw",
    [
        # TxRaw level
        wire_tx(wire_body(HELLO), AUTH, SIG) + varint_field(4, 1),  # unknown field
        wire_tx(wire_body(HELLO), AUTH, SIG) + len_field(3, SIG),  # duplicated field
        len_field(2, AUTH) + len_field(1, wire_body(HELLO)) + len_field(3, SIG),  # reordered
        b"\x0a" + bytes([len(wire_body(HELLO)) | 0x80, 0x00]) + wire_body(HELLO) + len_field(2, AUTH) + len_field(3, SIG),
        len_field(1, b"") + len_field(1, wire_body(HELLO)) + len_field(2, AUTH) + len_field(3, SIG),  # explicit empty
        # TxBody level
        wire_tx(wire_body(HELLO) + varint_field(3, 1), AUTH, SIG),
        wire_tx(wire_body(HELLO) + len_field(2, b""), AUTH, SIG),  # explicit empty memo
        wire_tx(len_field(2, b"m") + len_field(1, HELLO), AUTH, SIG),  # memo before messages
        # AuthInfo level
        wire_tx(wire_body(HELLO), AUTH + varint_field(9, 1), SIG),
        wire_tx(wire_body(HELLO), len_field(1, KEY.public_key) + varint_field(2, 0), SIG),  # explicit default
        wire_tx(wire_body(HELLO), len_field(1, KEY.public_key) + b"\x10\x87\x00", SIG),  # non-minimal varint 7
        wire_tx(wire_body(HELLO), AUTH + varint_field(2, 7), SIG),  # duplicated sequence
        wire_tx(wire_body(HELLO), len_field(1, KEY.public_key) + len_field(2, b"\x07"), SIG),  # wrong wire type
        # Any level
        wire_tx(wire_body(HELLO + varint_field(3, 1)), AUTH, SIG),
        wire_tx(wire_body(len_field(2, len_field(1, b"hello")) + len_field(1, b"/google.protobuf.StringValue")), AUTH, SIG),
        # inner message level
        wire_tx(wire_body(wire_any("/google.protobuf.StringValue", len_field(1, b"hello") + varint_field(2, 5))), AUTH, SIG),
        wire_tx(wire_body(wire_any("/google.protobuf.StringValue", len_field(1, b"a") + len_field(1, b"hello"))), AUTH, SIG),
        wire_tx(wire_body(wire_any("/google.protobuf.StringValue", len_field(1, b""))), AUTH, SIG),
        wire_tx(wire_body(wire_any("/google.protobuf.StringValue", len_field(1, b"\xff\xfe"))), AUTH, SIG),  # bad UTF-8
    ],
)
def test_non_canonical_encodings_are_tx_decode(raw):
    assert code_of(raw) is TxCode.TX_DECODE


def test_hand_spelled_canonical_tx_is_accepted():
    tx = decode_tx(wire_tx(wire_body(HELLO, memo=b"m"), AUTH, SIG))
    assert tx.memo == "m" and tx.messages[0].value == "hello" and tx.sequence == 7


@pytest.mark.parametrize(
    "type_url",
    ["/gonka.coretest.Unregistered", "type.googleapis.com/google.protobuf.StringValue", "google.protobuf.StringValue", "",
     "/google.protobuf.Any"],
)
def test_unknown_type_url_is_unknown_request(type_url):
    raw = wire_tx(wire_body(wire_any(type_url, b"") if type_url else b""), AUTH, SIG)
    assert code_of(raw) is TxCode.UNKNOWN_REQUEST


def test_no_messages_is_invalid_request():
    assert code_of(wire_tx(b"", AUTH, SIG)) is TxCode.INVALID_REQUEST
    assert code_of(wire_tx(len_field(2, b"memo only"), AUTH, SIG)) is TxCode.INVALID_REQUEST


@pytest.mark.parametrize(
    "public_key",
    [b"", bytes(33), KEY.public_key[:32], b"\x04" + KEY.public_key[1:],
     b"\x02" + (2**256 - 2**32 - 977).to_bytes(32, "big"),  # x = p
     bytes.fromhex("04") + bytes(64)],
)
def test_bad_public_key_is_invalid_pubkey(public_key):
    auth = (len_field(1, public_key) if public_key else b"") + varint_field(2, 7)
    assert code_of(wire_tx(wire_body(HELLO), auth, SIG)) is TxCode.INVALID_PUBKEY


def test_memo_limit_counts_utf8_bytes():
    assert decode_tx(build(memo="x" * 256)).memo == "x" * 256
    assert decode_tx(build(memo="é" * 128)).memo == "é" * 128
    too_long = "é" * 128 + "x"  # 129 characters, 257 bytes
    assert code_of(wire_tx(wire_body(HELLO, memo=too_long.encode()), AUTH, SIG)) is TxCode.MEMO_TOO_LARGE
    with pytest.raises(TxError) as info:
        build(memo=too_long)
    assert info.value.code is TxCode.MEMO_TOO_LARGE


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65)])
def test_signature_must_be_64_bytes(signature):
    assert code_of(wire_tx(wire_body(HELLO), AUTH, signature)) is TxCode.UNAUTHORIZED


# --- nested Any -------------------------------------------------------------------------
def exec_of(*inner: bytes) -> bytes:
    return b"".join(len_field(1, a) for a in inner)


def test_nested_any_is_decoded_and_checked():
    wrapped = Exec(msgs=[packed(StringValue(value="inner"))])
    tx = decode_tx(build([wrapped]))
    assert unpack_message(tx.messages[0].msgs[0]) == StringValue(value="inner")

    labels = Labels()
    labels.by_name["a"].CopyFrom(packed(Exec(msgs=[packed(StringValue(value="deep"))])))
    labels.tags["k"] = "v"
    assert decode_tx(build([labels])).messages[0] == labels

    def tx_with_exec(*inner: bytes) -> bytes:
        return wire_tx(wire_body(wire_any("/gonka.coretest.Exec", exec_of(*inner))), AUTH, SIG)

    unknown = wire_any("/gonka.coretest.Unregistered", len_field(1, b"x"))
    assert code_of(tx_with_exec(unknown)) is TxCode.UNKNOWN_REQUEST
    non_canonical = wire_any("/google.protobuf.StringValue", len_field(1, b"x") + varint_field(7, 1))
    assert code_of(tx_with_exec(non_canonical)) is TxCode.TX_DECODE

    bad_labels = Labels()
    bad_labels.by_name["a"].CopyFrom(Any(type_url="/gonka.coretest.Unregistered", value=b""))
    with pytest.raises(TxError) as info:
        unpack_message(packed(bad_labels))
    assert info.value.code is TxCode.UNKNOWN_REQUEST


def test_nesting_depth_is_bounded():
    message = StringValue(value="core")
    for _ in range(txmod.MAX_ANY_DEPTH - 1):
        message = Exec(msgs=[packed(message)])
    decode_tx(build([message]))  # exactly MAX_ANY_DEPTH levels of Any
    too_deep = build([Exec(msgs=[packed(message)])])
    assert code_of(too_deep) is TxCode.TX_DECODE


# --- build errors --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"messages": []}, TxCode.INVALID_REQUEST),
        ({"messages": [Unregistered(note="x")]}, TxCode.UNKNOWN_REQUEST),
        ({"messages": [Int64Value(value=1)]}, TxCode.UNKNOWN_REQUEST),
        ({"memo": "x" * 257}, TxCode.MEMO_TOO_LARGE),
        ({"memo": b"bytes"}, TxCode.INVALID_REQUEST),
        ({"sequence": -1}, TxCode.INVALID_REQUEST),
        ({"sequence": 2**64}, TxCode.INVALID_REQUEST),
        ({"sequence": True}, TxCode.INVALID_REQUEST),
        ({"account_number": -1}, TxCode.INVALID_REQUEST),
        ({"account_number": 1.0}, TxCode.INVALID_REQUEST),
        ({"chain_id": ""}, TxCode.INVALID_CHAIN_ID),
    ],
)
def test_build_rejects_bad_input(kwargs, code):
    with pytest.raises(TxError) as info:
        build(**kwargs)
    assert info.value.code is code


def test_uint64_extremes_round_trip():
    tx = decode_tx(build(sequence=2**64 - 1, account_number=2**64 - 1))
    assert tx.sequence == 2**64 - 1
    assert verify_tx_signature(tx, CHAIN, 2**64 - 1)


def test_tx_error_carries_code_and_message():
    error = TxError(TxCode.WRONG_SEQUENCE, "expected 4, got 5")
    assert error.code is TxCode.WRONG_SEQUENCE and error.message == "expected 4, got 5"
    assert "WRONG_SEQUENCE (32)" in str(error)
    assert TxCode.UNKNOWN_MESSAGE is TxCode.UNKNOWN_REQUEST
