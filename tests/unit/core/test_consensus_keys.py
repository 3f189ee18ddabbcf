"""Ed25519 consensus keys, checked against a from-the-spec Python Ed25519
(RFC 8032 §5.1 arithmetic, written out below) and against the small-order and
non-canonical encodings that must never be accepted."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.core.consensus_keys import (
    ConsensusKey,
    consensus_address,
    validate_consensus_public_key,
    verify_consensus_signature,
)
from node.core.errors import InvalidKey

# --- Edwards25519, from RFC 8032 --------------------------------------------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, -1, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z


def add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    e = (y1 + x1) * (y2 + x2) - (y1 - x1) * (y2 - x2)
    f = 2 * z1 * z2 - 2 * D * t1 * t2
    g = 2 * z1 * z2 + 2 * D * t1 * t2
    h = (y1 + x1) * (y2 + x2) + (y1 - x1) * (y2 - x2)
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def mul(scalar, point):
    result = IDENTITY
    while scalar:
        if scalar & 1:
            result = add(result, point)
        point = add(point, point)
        scalar >>= 1
    return result


def same(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def x_from_y(y, negative):
    """The x with x^2 = (y^2 - 1) / (d y^2 + 1) of the requested parity, or None."""
    x2 = (y * y - 1) * pow(D * y * y + 1, -1, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    if x == 0 and negative:
        return None
    return P - x if (x & 1) != negative else x


def encode(point):
    x, y, z, _ = point
    zi = pow(z, -1, P)
    x, y = x * zi % P, y * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def decode(data):
    """Strict RFC 8032 decoding: None for y >= p or no such point."""
    y = int.from_bytes(data, "little")
    negative, y = y >> 255, y & ((1 << 255) - 1)
    if y >= P:
        return None
    x = x_from_y(y, negative)
    return None if x is None else (x, y, 1, x * y % P)


BASE = decode((4 * pow(5, -1, P) % P).to_bytes(32, "little"))


def ref_public_key(seed):
    digest = hashlib.sha512(seed).digest()
    a = int.from_bytes(digest[:32], "little") & ((1 << 254) - 8) | (1 << 254)
    return a, digest[32:], encode(mul(a, BASE))


def ref_sign(seed, message):
    a, prefix, public = ref_public_key(seed)
    r = int.from_bytes(hashlib.sha512(prefix + message).digest(), "little") % L
    big_r = encode(mul(r, BASE))
    h = int.from_bytes(hashlib.sha512(big_r + public + message).digest(), "little") % L
    return big_r + ((r + h * a) % L).to_bytes(32, "little")


def torsion_points():
    """The 8 points of order dividing 8: multiples of an order-8 point found by
    clearing the prime-order part of arbitrary curve points."""
    for y in range(2, 100):
        point = decode(y.to_bytes(32, "little"))
        if point is None:
            continue
        torsion = mul(L, point)
        if not same(mul(4, torsion), IDENTITY):  # order exactly 8
            return [mul(k, torsion) for k in range(8)]
    raise AssertionError("no order-8 point found")


SMALL_ORDER = sorted({encode(point) for point in torsion_points()})
# Encodings of x = 0 with the sign bit set: the identity and the order-2 point, "negative zero".
NEGATIVE_ZERO = [bytes([1]) + bytes(30) + b"\x80", bytes.fromhex("ec" + "ff" * 30 + "ff")]
# y >= p cannot be canonical; both sign bits.
NON_CANONICAL_Y = [((P + k) | sign << 255).to_bytes(32, "little") for k in range(19) for sign in (0, 1)]
seeds = st.binary(min_size=32, max_size=32)


def test_reference_arithmetic_sanity():
    assert same(mul(L, BASE), IDENTITY)
    assert len(SMALL_ORDER) == 8
    for encoded in SMALL_ORDER:
        assert same(mul(8, decode(encoded)), IDENTITY)
    # The published list (e.g. libsodium's blocklist, "Taming the many EdDSAs").
    assert {e.hex() for e in SMALL_ORDER} == {
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    }


# --- keys and signatures ------------------------------------------------------------
@settings(max_examples=15)
@given(seeds, st.binary(max_size=100))
def test_keys_and_signatures_match_reference_implementation(seed, message):
    key = ConsensusKey.from_seed(seed)
    assert key.seed == seed
    assert key.public_key == ref_public_key(seed)[2]
    signature = key.sign(message)
    assert signature == ref_sign(seed, message)  # Ed25519 signing is deterministic
    assert verify_consensus_signature(key.public_key, message, signature)
    validate_consensus_public_key(key.public_key)


def test_generate_and_repr():
    first, second = ConsensusKey.generate(), ConsensusKey.generate()
    assert first.seed != second.seed
    assert ConsensusKey.from_seed(first.seed).public_key == first.public_key
    assert first.seed.hex() not in repr(first)


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33), "00" * 32, None])
def test_bad_seed_is_rejected(seed):
    with pytest.raises(InvalidKey):
        ConsensusKey.from_seed(seed)


def test_tampering_and_non_canonical_s_are_rejected():
    key, other = ConsensusKey.generate(), ConsensusKey.generate()
    message = b"prevote h=5 r=0"
    signature = key.sign(message)
    assert not verify_consensus_signature(key.public_key, message + b"!", signature)
    assert not verify_consensus_signature(other.public_key, message, signature)
    for index in (0, 31, 32, 63):
        flipped = bytearray(signature)
        flipped[index] ^= 1
        assert not verify_consensus_signature(key.public_key, message, bytes(flipped))
    # S + L satisfies the verification equation (L * B = 0) but is not canonical.
    s = int.from_bytes(signature[32:], "little")
    assert not verify_consensus_signature(key.public_key, message, signature[:32] + (s + L).to_bytes(32, "little"))


@pytest.mark.parametrize(
    "public_key, message, signature",
    [(b"", b"m", bytes(64)), (bytes(31), b"m", bytes(64)), ("00" * 32, b"m", bytes(64)), (None, b"m", bytes(64)),
     (SMALL_ORDER[4], "m", bytes(64)), (SMALL_ORDER[4], b"m", bytes(63)), (SMALL_ORDER[4], b"m", None)],
)
def test_malformed_inputs_return_false(public_key, message, signature):
    assert verify_consensus_signature(public_key, message, signature) is False


# --- small-order and non-canonical keys --------------------------------------------
@pytest.mark.parametrize("public_key", SMALL_ORDER + NEGATIVE_ZERO + NON_CANONICAL_Y)
def test_small_order_and_non_canonical_keys_are_rejected(public_key):
    with pytest.raises(InvalidKey):
        validate_consensus_public_key(public_key)
    with pytest.raises(InvalidKey):
        consensus_address(public_key)


def test_small_order_keys_forge_nothing():
    # With S = 0 and small-order A and R, the cofactorless equation R + h*A = 0
    # holds for some messages; libsodium must refuse every combination.
    for public_key in SMALL_ORDER + NEGATIVE_ZERO:
        for big_r in SMALL_ORDER:
            for message in (b"", b"any message", b"vote"):
                assert not verify_consensus_signature(public_key, message, big_r + bytes(32))


def test_mixed_order_and_off_curve_keys_are_rejected():
    torsion = decode(SMALL_ORDER[-1])
    mixed = encode(add(mul(7, BASE), torsion))
    assert decode(mixed) is not None
    off_curve = next(
        y.to_bytes(32, "little") for y in range(2, 100) if x_from_y(y, 0) is None
    )
    for public_key in (mixed, off_curve):
        with pytest.raises(InvalidKey):
            validate_consensus_public_key(public_key)
    validate_consensus_public_key(encode(mul(7, BASE)))


@pytest.mark.parametrize("bad", [b"", bytes(31), bytes(33), "00" * 32])
def test_wrong_length_keys_are_rejected(bad):
    with pytest.raises(InvalidKey):
        validate_consensus_public_key(bad)


def test_consensus_address_is_truncated_sha256():
    key = ConsensusKey.from_seed(bytes(range(32)))
    assert consensus_address(key.public_key) == hashlib.sha256(key.public_key).digest()[:20]
    assert len(consensus_address(key.public_key)) == 20
