import hashlib

from node.core.hashing import hash160, ripemd160, sha256, tx_hash


def test_ripemd160_matches_published_vectors():
    # From the RIPEMD-160 paper (Dobbertin, Bosselaers, Preneel).
    assert ripemd160(b"").hex() == "9c1185a5c5e9fc54612808977ee8f548b2258d31"
    assert ripemd160(b"abc").hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"
    assert ripemd160(b"message digest").hex() == "5d0689ef49d2fae572b881b123a85ffa21595f36"


def test_hash160_of_generator_pubkey_is_the_bip173_witness_program():
    # BIP-173's example bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 is the
    # P2WPKH of the compressed public key of private key 1 (the generator G).
    generator = bytes.fromhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
    assert hash160(generator).hex() == "751e76e8199196d454941c45d1b3a323f1433bd6"


def test_sha256_and_tx_hash_are_uppercase_hex_of_sha256():
    assert sha256(b"abc") == hashlib.sha256(b"abc").digest()
    expected = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
    assert tx_hash(b"abc") == expected
