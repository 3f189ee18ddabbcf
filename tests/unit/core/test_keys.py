"""Account keys, checked against independent code: the `ecdsa` package for
secp256k1, a BIP-173 bech32 written out below, and published vectors."""

import hashlib

import pytest
from ecdsa import SECP256k1, SigningKey, VerifyingKey
from ecdsa.util import sigdecode_string, sigencode_string
from hypothesis import given, settings
from hypothesis import strategies as st

from node.core.errors import InvalidAddress, InvalidKey
from node.core.keys import (
    AccountKey,
    address_from_public_key,
    decode_address,
    is_valid_address,
    validate_public_key,
    verify_signature,
)

N = SECP256k1.order
P = SECP256k1.curve.p()
G_COMPRESSED = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")

# --- BIP-173 bech32, written out from the specification -----------------------
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    generators = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generators[i] if (top >> i) & 1 else 0
    return checksum


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _to_5bit(data: bytes) -> list[int]:
    bits = "".join(f"{byte:08b}" for byte in data)
    bits += "0" * (-len(bits) % 5)
    return [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]


def ref_bech32(hrp: str, data: bytes, const: int = BECH32_CONST) -> str:
    words = _to_5bit(data)
    mod = _polymod(_hrp_expand(hrp) + words + [0] * 6) ^ const
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[w] for w in words + checksum)


def ref_address(compressed_pubkey: bytes) -> str:
    sha = hashlib.sha256(compressed_pubkey).digest()
    try:
        ripe = hashlib.new("ripemd160", sha).digest()  # OpenSSL, independent of the code under test
    except ValueError:
        pytest.skip("hashlib has no ripemd160 here (OpenSSL legacy provider not loaded)")
    return ref_bech32("gonka", ripe)


def ref_pubkey(secret: int) -> bytes:
    return SigningKey.from_secret_exponent(secret, curve=SECP256k1).get_verifying_key().to_string("compressed")


private_keys = st.integers(min_value=1, max_value=N - 1)


# --- derivation ------------------------------------------------------------------
def test_private_key_one_gives_generator_and_bip173_program():
    key = AccountKey.from_private_hex(f"{1:064x}")
    assert key.public_key == G_COMPRESSED
    # Same 20-byte program as BIP-173's bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 ("q" is the witness version).
    assert key.address == ref_bech32("gonka", bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6"))
    assert key.address[len("gonka1") : -6] == "w508d6qejxtdg4y5r3zarvary0c5xw7k"


@settings(max_examples=50)
@given(private_keys)
def test_derivation_matches_independent_implementation(secret):
    key = AccountKey.from_private_hex(f"{secret:064x}")
    assert key.public_key == ref_pubkey(secret)
    assert key.address == address_from_public_key(key.public_key) == ref_address(key.public_key)
    assert decode_address(key.address) == hashlib.new("ripemd160", hashlib.sha256(key.public_key).digest()).digest()
    assert key.private_hex == f"{secret:064x}"


def test_generate_gives_distinct_usable_keys():
    first, second = AccountKey.generate(), AccountKey.generate()
    assert first.private_hex != second.private_hex
    assert AccountKey.from_private_hex(first.private_hex).address == first.address
    assert is_valid_address(first.address)


def test_repr_does_not_leak_the_secret():
    key = AccountKey.generate()
    assert key.private_hex not in repr(key)
    assert key.address in repr(key)


@pytest.mark.parametrize(
    "bad",
    ["", "00" * 32, f"{N:064x}", f"{N + 1:064x}", "f" * 64, "zz" * 32, "01" * 31, "01" * 33, "0x" + "01" * 31, b"\x01" * 32],
)
def test_bad_private_keys_are_rejected(bad):
    with pytest.raises(InvalidKey):
        AccountKey.from_private_hex(bad)


def test_uppercase_private_hex_is_accepted_and_normalized():
    assert AccountKey.from_private_hex("AB" * 32).private_hex == "ab" * 32


# --- signatures --------------------------------------------------------------------
@settings(max_examples=50)
@given(private_keys, st.binary(max_size=200))
def test_signature_is_low_s_rfc6979_and_verifies_independently(secret, data):
    key = AccountKey.from_private_hex(f"{secret:064x}")
    signature = key.sign(data)
    assert len(signature) == 64
    r, s = sigdecode_string(signature, N)
    assert 0 < s <= N // 2

    reference = SigningKey.from_secret_exponent(secret, curve=SECP256k1)
    assert reference.get_verifying_key().verify(signature, data, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)
    # libsecp256k1 and `ecdsa` both use RFC 6979 nonces: same R, and S equal up to low-S normalization.
    ref_r, ref_s = sigdecode_string(reference.sign_deterministic(data, hashfunc=hashlib.sha256, sigencode=sigencode_string), N)
    assert (r, s) == (ref_r, min(ref_s, N - ref_s))
    assert verify_signature(key.public_key, data, signature)


@settings(max_examples=30)
@given(private_keys, st.binary(max_size=100))
def test_high_s_twin_is_rejected_but_low_s_from_other_signer_accepted(secret, data):
    reference = SigningKey.from_secret_exponent(secret, curve=SECP256k1)
    public_key = reference.get_verifying_key().to_string("compressed")
    r, s = sigdecode_string(reference.sign(data, hashfunc=hashlib.sha256, sigencode=sigencode_string), N)
    low, high = min(s, N - s), max(s, N - s)
    assert verify_signature(public_key, data, sigencode_string(r, low, N))
    assert not verify_signature(public_key, data, sigencode_string(r, high, N))
    # The high-S form is mathematically valid: only the policy rejects it.
    assert VerifyingKey.from_string(public_key, curve=SECP256k1).verify(
        sigencode_string(r, high, N), data, hashfunc=hashlib.sha256, sigdecode=sigdecode_string
    )


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 1]) + data[index + 1 :]


def test_tampering_breaks_the_signature():
    key, other = AccountKey.generate(), AccountKey.generate()
    data = b"inference payload"
    signature = key.sign(data)
    assert verify_signature(key.public_key, data, signature)
    assert not verify_signature(key.public_key, data + b"!", signature)
    assert not verify_signature(key.public_key, _flip(data, 0), signature)
    assert not verify_signature(other.public_key, data, signature)
    for index in (0, 31, 32, 63):
        assert not verify_signature(key.public_key, data, _flip(signature, index))


def _not_on_curve_x() -> int:
    x = 1
    while pow((x**3 + 7) % P, (P - 1) // 2, P) == 1:  # Euler: y^2 = x^3 + 7 has a root
        x += 1
    return x


@pytest.mark.parametrize(
    "public_key, signature",
    [
        (b"", None),
        (G_COMPRESSED[:-1], None),
        (b"\x04" + G_COMPRESSED[1:], None),  # 33 bytes, wrong prefix
        (bytes.fromhex("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                       "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"), None),  # uncompressed G
        (b"\x02" + _not_on_curve_x().to_bytes(32, "big"), None),
        (b"\x02" + P.to_bytes(32, "big"), None),  # x >= p
        (G_COMPRESSED, b""),
        (G_COMPRESSED, b"\x01" * 63),
        (G_COMPRESSED, b"\x01" * 65),
        (G_COMPRESSED, bytes(32) + (1).to_bytes(32, "big")),  # r = 0
        (G_COMPRESSED, (1).to_bytes(32, "big") + bytes(32)),  # s = 0
        (G_COMPRESSED, N.to_bytes(32, "big") + (1).to_bytes(32, "big")),  # r = n
        (G_COMPRESSED, (1).to_bytes(32, "big") + N.to_bytes(32, "big")),  # s = n
        ("02" * 33, None),
        (G_COMPRESSED, "00" * 64),
    ],
)
def test_malformed_inputs_return_false_never_raise(public_key, signature):
    key = AccountKey.from_private_hex(f"{1:064x}")
    data = b"data"
    if signature is None:
        signature = key.sign(data)
    assert verify_signature(public_key, data, signature) is False


def test_non_bytes_data_returns_false():
    key = AccountKey.generate()
    assert verify_signature(key.public_key, "data", key.sign(b"data")) is False  # type: ignore[arg-type]


def test_only_compressed_valid_points_are_account_keys():
    validate_public_key(G_COMPRESSED)
    for bad in (b"\x04" + G_COMPRESSED[1:], b"\x02" + _not_on_curve_x().to_bytes(32, "big"), G_COMPRESSED + b"\x00"):
        with pytest.raises(InvalidKey):
            address_from_public_key(bad)


# --- addresses -----------------------------------------------------------------------
def _change_last_char(address: str) -> str:
    return address[:-1] + CHARSET[(CHARSET.index(address[-1]) + 1) % 32]


def test_decode_address_roundtrip():
    program = bytes(range(20))
    address = ref_bech32("gonka", program)
    assert decode_address(address) == program
    assert is_valid_address(address)


@pytest.mark.parametrize(
    "address",
    [
        ref_bech32("cosmos", bytes(20)),  # wrong prefix
        ref_bech32("gonkavaloper", bytes(20)),  # another gonka prefix, still not an account
        ref_bech32("gonka", bytes(32)),  # wrong length
        ref_bech32("gonka", bytes(19)),
        ref_bech32("gonka", bytes(20), BECH32M_CONST),  # bech32m checksum
        _change_last_char(ref_bech32("gonka", bytes(20))),  # bad checksum
        ref_bech32("gonka", bytes(20)).upper(),  # non-canonical case
        "Gonka1" + ref_bech32("gonka", bytes(20))[6:],
        "gonka1",
        "",
        "gonka1" + "b" * 38,  # "b" is not in the bech32 charset
        "not an address",
        None,
        b"gonka1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkkg0hf",
    ],
)
def test_bad_addresses_are_rejected(address):
    with pytest.raises(InvalidAddress):
        decode_address(address)
    assert not is_valid_address(address)
