"""Account keys: secp256k1 (via libsecp256k1/coincurve) and bech32 `gonka` addresses.

Wire-compatible with Cosmos and the public Gonka client: 33-byte compressed
public keys, address = bech32("gonka", RIPEMD-160(SHA-256(pubkey))), and
signatures are 64-byte R||S ECDSA over SHA-256(data) with low S (the high-S
twin of a valid signature is rejected, so a third party cannot re-sign).
"""

from __future__ import annotations

import functools

import bech32
from coincurve import PrivateKey, PublicKey
from coincurve.ecdsa import cdata_to_der, deserialize_compact

from node.core.errors import InvalidAddress, InvalidKey
from node.core.hashing import hash160, sha256

ACCOUNT_PREFIX = "gonka"
ADDRESS_BYTES = 20
PUBLIC_KEY_BYTES = 33
SIGNATURE_BYTES = 64
_PRIVATE_KEY_BYTES = 32


class AccountKey:
    """A secp256k1 account private key. Its repr never shows the secret."""

    __slots__ = ("_private", "_public_key")

    def __init__(self, private: PrivateKey) -> None:
        self._private = private
        self._public_key = private.public_key.format(compressed=True)

    @classmethod
    def generate(cls) -> AccountKey:
        return cls(PrivateKey())

    @classmethod
    def from_private_hex(cls, hex: str) -> AccountKey:  # noqa: A002 - name is part of the public API
        if not isinstance(hex, str) or len(hex) != 2 * _PRIVATE_KEY_BYTES:
            raise InvalidKey(f"private key must be {2 * _PRIVATE_KEY_BYTES} hex characters")
        try:
            return cls(PrivateKey(bytes.fromhex(hex)))
        except ValueError as exc:  # non-hex, zero, or not below the curve order
            raise InvalidKey(f"invalid secp256k1 private key: {exc}") from None

    @property
    def private_hex(self) -> str:
        return self._private.secret.hex()

    @property
    def public_key(self) -> bytes:
        return self._public_key

    @property
    def address(self) -> str:
        return address_from_public_key(self._public_key)

    def sign(self, data: bytes) -> bytes:
        # libsecp256k1 always emits low-S; the recoverable form's first 64 bytes are R||S.
        return self._private.sign_recoverable(data)[:SIGNATURE_BYTES]

    def __repr__(self) -> str:
        return f"AccountKey({self.address})"


def _parse_public_key(public_key: bytes) -> PublicKey:
    # libsecp256k1 also parses 65-byte (hybrid/uncompressed) keys; the protocol
    # allows only the compressed form so each account has one key encoding.
    if not isinstance(public_key, bytes) or len(public_key) != PUBLIC_KEY_BYTES:
        raise InvalidKey(f"public key must be {PUBLIC_KEY_BYTES} bytes (compressed secp256k1)")
    if public_key[0] not in (2, 3):
        raise InvalidKey("public key must start with 0x02 or 0x03 (compressed form)")
    try:
        return PublicKey(public_key)
    except ValueError:
        raise InvalidKey("public key is not a point on secp256k1") from None


def validate_public_key(public_key: bytes) -> None:
    """Raise InvalidKey unless `public_key` is a valid 33-byte compressed secp256k1 key."""
    _parse_public_key(public_key)


def verify_signature(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """True iff `signature` is a low-S R||S signature of SHA-256(data) by `public_key`."""
    if not isinstance(data, bytes) or not isinstance(signature, bytes) or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        key = _parse_public_key(public_key)
        der = cdata_to_der(deserialize_compact(signature))  # fails for R or S >= curve order
    except ValueError:  # InvalidKey is a ValueError too
        return False
    # libsecp256k1's verify rejects high-S signatures by design.
    return key.verify(der, data)


# bech32 in pure Python is slow enough to dominate block execution; the same few
# thousand accounts recur in every block, so conversions are memoized (errors are not cached).
_ADDRESS_CACHE_SIZE = 65536


@functools.lru_cache(maxsize=_ADDRESS_CACHE_SIZE)
def address_from_public_key(public_key: bytes) -> str:
    validate_public_key(public_key)
    return _encode_address(hash160(public_key))


def module_address(name: str) -> str:
    """A module account's address, as Cosmos derives it: the first 20 bytes of SHA-256(name)."""
    return _encode_address(sha256(name.encode())[:ADDRESS_BYTES])


def _encode_address(address_bytes: bytes) -> str:
    return bech32.bech32_encode(ACCOUNT_PREFIX, bech32.convertbits(address_bytes, 8, 5))


@functools.lru_cache(maxsize=_ADDRESS_CACHE_SIZE)
def decode_address(address: str) -> bytes:
    """The 20 address bytes of a canonical (lowercase) `gonka1...` bech32 address."""
    if not isinstance(address, str):
        raise InvalidAddress("address must be a string")
    # bech32 also allows all-uppercase; accepting it would give one account two
    # spellings in state keys, so only the canonical lowercase form is valid.
    if address != address.lower():
        raise InvalidAddress(f"address must be lowercase: {address!r}")
    prefix, data = bech32.bech32_decode(address)
    if prefix is None or data is None:
        raise InvalidAddress(f"not a valid bech32 string (bad characters or checksum): {address!r}")
    if prefix != ACCOUNT_PREFIX:
        raise InvalidAddress(f"address prefix must be {ACCOUNT_PREFIX!r}, got {prefix!r}")
    decoded = bech32.convertbits(data, 5, 8, False)
    if decoded is None or len(decoded) != ADDRESS_BYTES:
        raise InvalidAddress(f"address must encode {ADDRESS_BYTES} bytes: {address!r}")
    return bytes(decoded)


def is_valid_address(address: str) -> bool:
    try:
        decode_address(address)
    except InvalidAddress:
        return False
    return True
