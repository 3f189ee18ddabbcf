"""Consensus (validator) keys: Ed25519 through PyNaCl/libsodium only.

libsodium rejects small-order keys and R values and non-canonical S when
verifying (OpenSSL's path accepts some small-order forgeries), and
`validate_consensus_public_key` additionally requires a canonical point in
the prime-order subgroup, checked once when a key is registered.
"""

from __future__ import annotations

from nacl.bindings import crypto_core_ed25519_is_valid_point
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from node.core.errors import InvalidKey
from node.core.hashing import sha256

SEED_BYTES = 32
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
CONSENSUS_ADDRESS_BYTES = 20


class ConsensusKey:
    """An Ed25519 signing key. Its repr never shows the seed."""

    __slots__ = ("_signing_key",)

    def __init__(self, signing_key: SigningKey) -> None:
        self._signing_key = signing_key

    @classmethod
    def generate(cls) -> ConsensusKey:
        return cls(SigningKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> ConsensusKey:
        if not isinstance(seed, bytes) or len(seed) != SEED_BYTES:
            raise InvalidKey(f"Ed25519 seed must be {SEED_BYTES} bytes")
        return cls(SigningKey(seed))

    @property
    def seed(self) -> bytes:
        return self._signing_key.encode()

    @property
    def public_key(self) -> bytes:
        return self._signing_key.verify_key.encode()

    def sign(self, message: bytes) -> bytes:
        return self._signing_key.sign(message).signature

    def __repr__(self) -> str:
        return f"ConsensusKey({self.public_key.hex()})"


def validate_consensus_public_key(public_key: bytes) -> None:
    """Raise InvalidKey unless `public_key` encodes a usable Ed25519 key.

    Rejects wrong lengths, non-canonical encodings (y >= p), the 8 small-order
    points and mixed-order points (libsodium's full point validation).
    """
    if not isinstance(public_key, bytes) or len(public_key) != PUBLIC_KEY_BYTES:
        raise InvalidKey(f"Ed25519 public key must be {PUBLIC_KEY_BYTES} bytes")
    if not crypto_core_ed25519_is_valid_point(public_key):
        raise InvalidKey("Ed25519 public key is non-canonical, of small order or outside the prime-order subgroup")


def verify_consensus_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    # The subgroup check of validate_consensus_public_key costs about as much as
    # a verification, so it runs once at key registration, not here; libsodium's
    # verify itself rejects small-order and non-canonical keys.
    if not all(isinstance(value, bytes) for value in (public_key, message, signature)):
        return False
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        VerifyKey(public_key).verify(message, signature)
    except BadSignatureError:
        return False
    return True


def consensus_address(public_key: bytes) -> bytes:
    """Tendermint-style validator address: the first 20 bytes of SHA-256(pubkey)."""
    validate_consensus_public_key(public_key)
    return sha256(public_key)[:CONSENSUS_ADDRESS_BYTES]
