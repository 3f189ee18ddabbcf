import json

import pytest

from node.ml.pow.params import NAMED_PARAMS, PowParams


def test_ffn_hidden_sizes_follow_the_reference_rounding() -> None:
    assert PowParams.named("mainnet").ffn_hidden_dim == 49152
    assert PowParams.named("testnet").ffn_hidden_dim == 28672
    assert PowParams.named("devnet").ffn_hidden_dim == 1024
    tiny = PowParams(**{**PowParams.named("devnet").to_dict(), "dim": 64, "n_heads": 4, "n_kv_heads": 4})
    assert tiny.ffn_hidden_dim == 256  # 170 -> 221 -> 256 in the reference notes
    no_multiplier = PowParams(**{**PowParams.named("devnet").to_dict(), "ffn_dim_multiplier": None})
    assert no_multiplier.ffn_hidden_dim == 768  # 682 rounded up to a multiple of 256


def test_mainnet_and_testnet_sets_are_the_reference_ones() -> None:
    mainnet, testnet = PowParams.named("mainnet"), PowParams.named("testnet")
    assert (mainnet.dim, mainnet.n_layers, mainnet.n_heads, mainnet.head_dim, mainnet.vocab_size, mainnet.seq_len) == (
        1792, 64, 64, 28, 8196, 256,
    )
    assert (testnet.dim, testnet.n_layers, testnet.n_heads, testnet.head_dim, testnet.vocab_size, testnet.seq_len) == (
        1024, 32, 32, 32, 8196, 128,
    )
    for params in (mainnet, testnet):
        assert (params.norm_eps, params.rope_theta, params.use_scaled_rope) == (1e-5, 10000.0, False)
    # The reference notes: about 17.76 B (mainnet) and 2.97 B (testnet) parameters.
    assert round(mainnet.total_params / 1e9, 2) == 17.76
    assert round(testnet.total_params / 1e9, 2) == 2.97


def test_devnet_keeps_the_reference_vocabulary() -> None:
    devnet = PowParams.named("devnet")
    assert devnet.vocab_size == 8196
    # The reference's CPU timing model: about 6.3 M parameters without the embedding table.
    assert devnet.total_params - devnet.vocab_size * devnet.dim == pytest.approx(6.3e6, rel=0.01)


def test_unknown_set_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown PoW parameter set 'bogus'"):
        PowParams.named("bogus")


def test_json_round_trip_with_reference_field_names(tmp_path) -> None:
    path = tmp_path / "params.json"
    body = NAMED_PARAMS["testnet"].to_dict()
    body["ffn_dim_multiplier"] = 10  # JSON writers drop the ".0"
    path.write_text(json.dumps(body))
    assert PowParams.from_json(path) == NAMED_PARAMS["testnet"]
    assert PowParams.resolve(str(path)) == NAMED_PARAMS["testnet"]
    assert PowParams.resolve("mainnet") is NAMED_PARAMS["mainnet"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dim": 100}, "not divisible by n_heads"),
        ({"dim": 24, "n_heads": 8, "n_kv_heads": 8}, "must be even"),
        ({"n_kv_heads": 3}, "not a multiple of n_kv_heads"),
        ({"seq_len": 0}, "seq_len must be a positive integer"),
        ({"dim": 256.0}, "dim must be a positive integer"),
        ({"norm_eps": -1.0}, "norm_eps must be a positive number"),
        ({"use_scaled_rope": True}, "use_scaled_rope=true is not supported"),
        ({"use_scaled_rope": 1}, "use_scaled_rope must be a boolean"),
        ({"ffn_dim_multiplier": "big"}, "ffn_dim_multiplier must be a positive number"),
    ],
)
def test_bad_values_get_a_clear_error(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PowParams.from_dict({**NAMED_PARAMS["devnet"].to_dict(), **change})


def test_missing_and_unknown_fields_are_named(tmp_path) -> None:
    body = NAMED_PARAMS["devnet"].to_dict()
    del body["seq_len"]
    body["r_target"] = 1.4
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body))
    with pytest.raises(ValueError, match=r"unknown fields \['r_target'\], missing fields \['seq_len'\]"):
        PowParams.from_json(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        PowParams.from_json(path)
    with pytest.raises(ValueError, match="neither a known parameter set"):
        PowParams.resolve(str(tmp_path / "absent.json"))
