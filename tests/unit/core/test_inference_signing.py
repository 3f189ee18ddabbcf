"""The three inference signatures (reference protocol.md §4): exact bytes, base64 form, verification."""

import base64
import hashlib

from node.core.inference_signing import (
    decode_signature,
    developer_bytes,
    sign,
    sign_request,
    sign_transfer,
    transfer_bytes,
    verify,
)
from node.core.keys import AccountKey

DEV, TA, EXECUTOR = (AccountKey.from_private_hex(f"{i:064x}") for i in (11, 12, 13))
BODY = '{"model":"m","messages":[{"role":"user","content":"héllo"}]}'
STAMP = 1_700_000_000_123_456_789


def test_signed_bytes_are_prompt_timestamp_and_addresses() -> None:
    # Signature 2.0 of the public client: hex SHA-256 of the body, then timestamp, then TA address
    body_hash = hashlib.sha256(BODY.encode()).hexdigest()
    assert developer_bytes(BODY, STAMP, TA.address) == (body_hash + "1700000000123456789" + TA.address).encode()
    assert developer_bytes(BODY, 0, TA.address) == (body_hash + TA.address).encode()  # no timestamp when 0
    assert transfer_bytes(BODY, STAMP, TA.address, EXECUTOR.address) == developer_bytes(
        BODY, STAMP, TA.address
    ) + EXECUTOR.address.encode()


def test_inference_id_is_the_developer_signature_in_base64() -> None:
    inference_id = sign_request(DEV, BODY, STAMP, TA.address)
    raw = base64.b64decode(inference_id)
    assert len(raw) == 64 and len(inference_id) == 88
    assert verify(DEV.public_key, developer_bytes(BODY, STAMP, TA.address), inference_id)
    assert sign_request(DEV, BODY, STAMP, TA.address) == inference_id  # RFC 6979: deterministic


def test_ta_and_executor_sign_the_same_bytes() -> None:
    data = transfer_bytes(BODY, STAMP, TA.address, EXECUTOR.address)
    assert verify(TA.public_key, data, sign_transfer(TA, BODY, STAMP, TA.address, EXECUTOR.address))
    assert verify(EXECUTOR.public_key, data, sign_transfer(EXECUTOR, BODY, STAMP, TA.address, EXECUTOR.address))


def test_wrong_key_or_changed_bytes_fail() -> None:
    inference_id = sign_request(DEV, BODY, STAMP, TA.address)
    assert not verify(TA.public_key, developer_bytes(BODY, STAMP, TA.address), inference_id)
    assert not verify(DEV.public_key, developer_bytes(BODY, STAMP + 1, TA.address), inference_id)
    assert not verify(DEV.public_key, developer_bytes(BODY + " ", STAMP, TA.address), inference_id)
    assert not verify(DEV.public_key, developer_bytes(BODY, STAMP, EXECUTOR.address), inference_id)


def test_only_canonical_base64_of_64_bytes_is_a_signature() -> None:
    good = sign(DEV, b"x")
    assert decode_signature(good) is not None
    for bad in (good.rstrip("="), good + "=", good[:-4], " " + good, good.replace("=", "A"), "é" * 88, ""):
        assert decode_signature(bad) is None
        assert not verify(DEV.public_key, b"x", bad)
    short = base64.b64encode(b"\x01" * 63).decode()
    assert decode_signature(short) is None
