"""Hash functions used across the protocol (pure, deterministic)."""

import hashlib

# hashlib's ripemd160 depends on OpenSSL's legacy provider, which many OpenSSL 3
# builds do not load; pycryptodome ships its own implementation, so addresses
# derive the same on every machine.
from Crypto.Hash import RIPEMD160


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ripemd160(data: bytes) -> bytes:
    return RIPEMD160.new(data).digest()


def hash160(data: bytes) -> bytes:
    """RIPEMD-160(SHA-256(data)): the Bitcoin/Cosmos account-address hash."""
    return ripemd160(sha256(data))


def tx_hash(raw: bytes) -> str:
    """Cosmos-style tx hash: uppercase hex SHA-256 of the raw tx bytes."""
    return sha256(raw).hex().upper()
