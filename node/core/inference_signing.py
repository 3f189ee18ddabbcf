"""The three signatures of an inference request (reference protocol.md §4, signature_validate.go).

    developer bytes = hex(SHA-256(original_prompt)) ‖ decimal(timestamp_ns) (only if > 0) ‖ TA address
    TA bytes        = developer bytes ‖ executor address
    executor bytes  = TA bytes

This is the public client's "Signature 2.0" (the gonka-openai SDK): the request body is
bound through its SHA-256 hex digest rather than verbatim, so a signer never has to
hash megabytes of prompt twice. The original prompt is the exact request body (UTF-8),
the timestamp Unix nanoseconds, addresses bech32 strings. A signature is secp256k1 over SHA-256
of the bytes, 64-byte R‖S, in standard padded base64. The developer's
signature is the inference id, so only the canonical base64 spelling of a
signature is accepted: otherwise one signature could name two inferences.

Used by the chain (Start/Finish checks), the api node (TA and executor) and
the client (developer).
"""

from __future__ import annotations

import base64
import binascii

from node.core.hashing import sha256
from node.core.keys import SIGNATURE_BYTES, AccountKey, verify_signature


def developer_bytes(original_prompt: str, timestamp_ns: int, transfer_address: str) -> bytes:
    stamp = str(timestamp_ns) if timestamp_ns > 0 else ""
    return (sha256(original_prompt.encode()).hex() + stamp + transfer_address).encode()


def transfer_bytes(original_prompt: str, timestamp_ns: int, transfer_address: str, executor_address: str) -> bytes:
    """What the TA signs; the executor signs the same bytes."""
    return developer_bytes(original_prompt, timestamp_ns, transfer_address) + executor_address.encode()


def encode_signature(signature: bytes) -> str:
    return base64.b64encode(signature).decode()


def decode_signature(text: str) -> bytes | None:
    """The 64 signature bytes of a canonical base64 string, else None."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    if len(raw) != SIGNATURE_BYTES or encode_signature(raw) != text:
        return None
    return raw


def sign(key: AccountKey, data: bytes) -> str:
    return encode_signature(key.sign(data))


def verify(public_key: bytes, data: bytes, signature_b64: str) -> bool:
    raw = decode_signature(signature_b64)
    return raw is not None and verify_signature(public_key, data, raw)


def sign_request(key: AccountKey, original_prompt: str, timestamp_ns: int, transfer_address: str) -> str:
    """The developer's signature: the inference id (sent as the Authorization header)."""
    return sign(key, developer_bytes(original_prompt, timestamp_ns, transfer_address))


def sign_transfer(
    key: AccountKey, original_prompt: str, timestamp_ns: int, transfer_address: str, executor_address: str
) -> str:
    """The TA's signature (X-TA-Signature); the executor's signature is made the same way with its key."""
    return sign(key, transfer_bytes(original_prompt, timestamp_ns, transfer_address, executor_address))
