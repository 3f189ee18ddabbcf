"""Property tests: one tx has exactly one accepted encoding.

Whatever bytes arrive, decode_tx either raises TxError or returns a tx whose
fresh re-encoding from the decoded values is byte-identical to the input; a
mutated signed tx that still decodes never verifies.
"""

from google.protobuf.any_pb2 import Any
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from node.core.errors import TxError
from node.core.keys import AccountKey
from node.core.tx import DecodedTx, build_tx, decode_tx, message_type_url, verify_tx_signature
from node.proto.gonka.tx_pb2 import AuthInfo, TxBody, TxRaw

from .messages import Exec, Labels, StringValue, packed
from .protowire import LEN, VARINT, key, len_field, varint, varint_field

CHAIN = "gonka-fuzz"
ACCOUNT = 12
KEY = AccountKey.from_private_hex("22" * 32)


def _labels() -> Labels:
    labels = Labels()
    labels.by_name["x"].CopyFrom(packed(StringValue(value="in a map")))
    labels.tags["t"] = "v"
    return labels


VALID = [
    build_tx(KEY, CHAIN, ACCOUNT, 0, [StringValue(value="hi")]),
    build_tx(KEY, CHAIN, ACCOUNT, 300, [StringValue(value="a"), StringValue()], memo="memo"),
    build_tx(KEY, CHAIN, ACCOUNT, 5, [Exec(msgs=[packed(StringValue(value="nested"))]), _labels()]),
]
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reencode(tx: DecodedTx) -> bytes:
    """Re-encode from decoded values only, without reusing the received part bytes."""
    body = TxBody(
        messages=[Any(type_url=message_type_url(m), value=m.SerializeToString(deterministic=True)) for m in tx.messages],
        memo=tx.memo,
    )
    auth = AuthInfo(public_key=tx.public_key, sequence=tx.sequence)
    raw = TxRaw(
        body_bytes=body.SerializeToString(deterministic=True),
        auth_info_bytes=auth.SerializeToString(deterministic=True),
        signature=tx.signature,
    )
    return raw.SerializeToString(deterministic=True)


def decode_or_none(raw: bytes) -> DecodedTx | None:
    try:
        tx = decode_tx(raw)
    except TxError:
        return None
    assert reencode(tx) == raw
    return tx


def mutate(data: bytes, draw) -> bytes:
    op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "duplicate"]))
    i = draw(st.integers(0, len(data) - 1))
    if op == "flip":
        return data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
    if op == "set":
        return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]
    if op == "insert":
        at = draw(st.integers(0, len(data)))  # the end too: appended fields
        return data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    if op == "delete":
        return data[:i] + data[i + draw(st.integers(1, 3)) :]
    if op == "truncate":
        return data[:i]
    j = draw(st.integers(i, len(data)))
    return data[:j] + data[i:j] + data[j:]


def rewrap(raw: bytes, part: str, draw) -> bytes:
    """Mutate one inner part and re-wrap it canonically, so inner checks are reached."""
    tx_raw = TxRaw.FromString(raw)
    if part == "message":
        body = TxBody.FromString(tx_raw.body_bytes)
        target = body.messages[draw(st.integers(0, len(body.messages) - 1))]
        target.value = mutate(target.value, draw) if target.value else draw(st.binary(min_size=1, max_size=4))
        tx_raw.body_bytes = body.SerializeToString(deterministic=True)
    else:
        setattr(tx_raw, part, mutate(getattr(tx_raw, part), draw))
    return tx_raw.SerializeToString(deterministic=True)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_decode_canonically_or_raise_tx_error(raw):
    decode_or_none(raw)


@FAST
@given(st.sampled_from(VALID), st.data())
def test_mutated_tx_is_rejected_or_canonical_and_never_verifies(raw, data):
    mutant = mutate(raw, data.draw)
    tx = decode_or_none(mutant)
    if tx is not None and mutant != raw:
        assert not verify_tx_signature(tx, CHAIN, ACCOUNT)


@FAST
@given(st.sampled_from(VALID), st.sampled_from(["body_bytes", "auth_info_bytes", "signature", "message"]), st.data())
def test_inner_mutations_are_rejected_or_canonical_and_never_verify(raw, part, data):
    mutant = rewrap(raw, part, data.draw)
    tx = decode_or_none(mutant)
    if tx is not None and mutant != raw:
        assert not verify_tx_signature(tx, CHAIN, ACCOUNT)


# Structure-aware fuzz: random field soups whose leaves mix valid tx parts with junk.
_leaves = st.sampled_from(
    [
        b"",
        KEY.public_key,
        bytes(64),
        b"/google.protobuf.StringValue",
        b"/gonka.coretest.Exec",
        len_field(1, b"x"),
        varint_field(2, 1),
    ]
) | st.binary(max_size=8)


def _soup(children: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    field = st.one_of(
        st.tuples(st.integers(1, 4), children).map(lambda t: len_field(*t)),
        st.tuples(st.integers(1, 4), st.integers(0, 2**64 - 1)).map(lambda t: varint_field(*t)),
        # non-minimal varints and stray keys
        st.tuples(st.integers(1, 4), st.integers(0, 127)).map(lambda t: key(t[0], VARINT) + bytes([t[1] | 0x80, 0])),
        st.integers(1, 4).map(lambda n: key(n, LEN) + varint(0)),
    )
    return st.lists(field, max_size=4).map(b"".join)


@FAST
@given(st.recursive(_leaves, _soup, max_leaves=12))
def test_structured_field_soup_decodes_canonically_or_raises(raw):
    decode_or_none(raw)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(max_size=20), min_size=1, max_size=3),
    st.text(max_size=64),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
)
def test_any_valid_tx_round_trips_and_verifies(values, memo, sequence, account_number):
    raw = build_tx(KEY, CHAIN, account_number, sequence, [StringValue(value=v) for v in values], memo)
    tx = decode_tx(raw)
    assert reencode(tx) == raw
    assert [m.value for m in tx.messages] == values and tx.memo == memo and tx.sequence == sequence
    assert verify_tx_signature(tx, CHAIN, account_number)
    assert not verify_tx_signature(tx, CHAIN, account_number ^ 1)
