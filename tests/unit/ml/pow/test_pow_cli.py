import json

import click
import pytest
from click.testing import CliRunner

from gonka_lab.commands.ml import group, parse_nonces
from node.ml.pow.params import NAMED_PARAMS

from .conftest import BLOCK_HASH, GOLDEN, PUBLIC_KEY


def _invoke(*args: str):
    return CliRunner().invoke(group, ["pow", "--block-hash", BLOCK_HASH, "--public-key", PUBLIC_KEY, *args])


def test_json_report_recomputes_the_golden_distances() -> None:
    result = _invoke("--params", "devnet", "--nonces", "0:3,40,41,123456789", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [r["nonce"] for r in report["results"]] == GOLDEN["nonces"]
    assert [r["distance"] for r in report["results"]] == GOLDEN["distances"]["float32"]
    assert [r["valid"] for r in report["results"]] == [d < report["r_target"] for d in GOLDEN["distances"]["float32"]]
    assert report["params"] == NAMED_PARAMS["devnet"].to_dict() and report["dtype"] == "float32"


def test_params_file_and_table_output(tmp_path) -> None:
    path = tmp_path / "params.json"
    path.write_text(json.dumps(NAMED_PARAMS["devnet"].to_dict()))
    result = _invoke("--params", str(path), "--nonces", "0", "--dtype", "float16")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["nonce", "distance", "valid"]
    assert lines[1].split() == ["0", repr(GOLDEN["distances"]["float16"][0]), "yes"]
    assert lines[-1] == "1 of 1 valid (r_target 1.4013564660458173, float16)"


def test_nonce_specs() -> None:
    assert parse_nonces("3:6,1, 9") == [3, 4, 5, 1, 9]
    for bad in ("5:5", "a", "-1", "1:2:3", ""):
        with pytest.raises(click.BadParameter, match="is not a nonce N >= 0 or a range A:B"):
            parse_nonces(bad)


def test_bad_input_gets_a_clear_error(tmp_path) -> None:
    result = _invoke("--params", "nonet", "--nonces", "0")
    assert result.exit_code == 2 and "neither a known parameter set" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"dim": 8}))
    result = _invoke("--params", str(bad), "--nonces", "0")
    assert result.exit_code == 2 and "missing fields" in result.output
    result = _invoke("--params", "devnet", "--nonces", "0", "--r-target", "3")
    assert result.exit_code == 2 and "r_target must lie in (0, 2]" in result.output
