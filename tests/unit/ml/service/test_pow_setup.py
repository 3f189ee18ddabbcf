"""PoW init requests: defaults filled in, every bad field refused with its name."""

from __future__ import annotations

from typing import Any

import pytest

from node.ml.pow.params import R_TARGET, PowParams
from node.ml.pow.validate import FRAUD_THRESHOLD
from node.ml.service.errors import InvalidArgument
from node.ml.service.pow_setup import params_to_dict, setup_from_request
from node.proto.gonka import ml_pb2 as pb


def request(**fields: Any) -> pb.PowInitRequest:
    values: dict[str, Any] = {
        "block_hash": "h",
        "block_height": 5,
        "public_key": "pk",
        "node_count": 1,
        "params_name": "devnet",
    }
    values.update(fields)
    return pb.PowInitRequest(**values)


def test_defaults_are_the_references() -> None:
    setup = setup_from_request(request(), 64, generate=True)
    assert setup.r_target == R_TARGET and setup.fraud_threshold == FRAUD_THRESHOLD
    assert setup.batch_size == 64 and setup.params == PowParams.named("devnet")
    assert (setup.block_hash, setup.block_height, setup.public_key, setup.node_id, setup.node_count) == (
        "h",
        5,
        "pk",
        0,
        1,
    )


def test_inline_params_round_trip() -> None:
    testnet = PowParams.named("testnet")
    inline = pb.PowModelParams(**testnet.to_dict())
    assert params_to_dict(inline) == testnet.to_dict()
    req = request(model_params=inline)
    assert setup_from_request(req, 64, generate=True).params == testnet
    defaults_to_none = pb.PowModelParams(**{**testnet.to_dict(), "n_kv_heads": None, "ffn_dim_multiplier": None})
    assert params_to_dict(defaults_to_none)["n_kv_heads"] is None


def test_validation_needs_no_public_key_or_node_share() -> None:
    setup = setup_from_request(request(public_key="", node_count=0), 64, generate=False)
    assert setup.block_hash == "h"


@pytest.mark.parametrize(
    ("fields", "param", "message"),
    [
        ({"block_hash": ""}, "block_hash", "must not be empty"),
        ({"block_height": -1}, "block_height", "must not be negative"),
        ({"public_key": ""}, "public_key", "must not be empty"),
        ({"node_count": 0}, "node_id", "node_count must be a positive integer"),
        ({"node_id": 3, "node_count": 2}, "node_id", r"node_id must be an integer in \[0, 2\)"),
        ({"r_target": 2.5}, "r_target", r"r_target must lie in \(0, 2\]"),
        ({"fraud_threshold": 1.5}, "fraud_threshold", "fraud_threshold must lie in"),
        ({"batch_size": 5000}, "batch_size", "batch_size must lie in"),
        ({"params_name": "huge"}, "params", "unknown PoW parameter set 'huge'"),
        ({"model_params": pb.PowModelParams(dim=10)}, "params", "PoW params"),
    ],
)
def test_bad_fields(fields: dict[str, Any], param: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message) as refused:
        setup_from_request(request(**fields), 64, generate=True)
    assert refused.value.param == param


def test_params_are_required() -> None:
    req = pb.PowInitRequest(block_hash="h", public_key="pk", node_count=1)
    with pytest.raises(InvalidArgument, match="set params_name or model_params"):
        setup_from_request(req, 64, generate=True)
