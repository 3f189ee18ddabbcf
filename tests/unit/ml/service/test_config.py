"""The ML node's TOML config: what it accepts, and a clear error for each kind of mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from node.ml.config import ConfigError, Listen, MlNodeConfig
from node.ml.server import run

GOOD = """
name = "p1-ml"
[grpc]
listen = "127.0.0.1:9300"
queue_limit = 2
[metrics]
listen = "127.0.0.1:9301"
[pow]
dtype = "float16"
threads = 2
batch_size = 16
adversary = "fake-pow"
fake_inflation = 0.5
[inference]
models = ["devnet-llama-10m-seed3"]
adversary = "fake-logprobs"
"""


def minimal(**tables: Any) -> dict[str, Any]:
    return {"name": "n", "grpc": {"listen": "127.0.0.1:0"}, **tables}


def test_full_config(tmp_path: Path) -> None:
    path = tmp_path / "ml.toml"
    path.write_text(GOOD)
    config = MlNodeConfig.load(path)
    assert config.name == "p1-ml"
    assert config.grpc_listen == Listen("127.0.0.1", 9300) and str(config.grpc_listen) == "127.0.0.1:9300"
    assert config.metrics_listen == Listen("127.0.0.1", 9301)
    assert config.queue_limit == 2
    assert (config.pow.dtype, config.pow.threads, config.pow.batch_size) == ("float16", 2, 16)
    assert config.pow.fake_inflation_or_none == 0.5
    assert config.inference.models == ("devnet-llama-10m-seed3",)
    assert config.inference.adversary == "fake-logprobs"


def test_defaults() -> None:
    config = MlNodeConfig.from_dict(minimal())
    assert config.metrics_listen is None
    assert config.pow.adversary == "" and config.pow.fake_inflation_or_none is None
    assert config.pow.dtype == "float32"
    assert config.inference.models == ("devnet-llama-10m-seed0",)  # InferenceConfig's default


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"grpc": {"listen": "127.0.0.1:1"}}, "name must be a non-empty string"),
        ({"name": "n"}, r"\[grpc\] is missing"),
        (minimal(grpc={"port": 1}), r"unknown keys in \[grpc\]: port"),
        (minimal(grpc={"listen": "localhost"}), "must look like HOST:PORT"),
        (minimal(grpc={"listen": "127.0.0.1:70000"}), "must look like HOST:PORT"),
        (minimal(grpc={"listen": "127.0.0.1:1", "queue_limit": -1}), "queue_limit must be an integer >= 0"),
        (minimal(metrics={"listen": 9}), r"\[metrics\] listen must be a string"),
        (minimal(extra=1), "unknown keys in the top level: extra"),
        (minimal(pow={"dtype": "int8"}), "dtype must be one of float32, float16"),
        (minimal(pow={"threads": 0}), "threads must be an integer >= 1"),
        (minimal(pow={"batch_size": 10**6}), "batch_size must be an integer in"),
        (minimal(pow={"adversary": "lazy"}), "adversary must be"),
        (minimal(pow={"fake_inflation": 0}), "fake_inflation must be a positive number"),
        (minimal(pow={"treads": 1}), r"unknown keys in \[pow\]: treads"),
        (minimal(pow=3), r"pow must be a table"),
        (minimal(inference={"models": ["no-such-model"]}), "unknown model 'no-such-model'"),
        (minimal(inference={"models": "devnet-llama-10m-seed0"}), "models must be a list of strings"),
        (minimal(inference={"backend": "onnx"}), "inference.backend must be one of"),
        (minimal(inference={"modles": []}), "unknown inference settings: modles"),
    ],
)
def test_bad_config(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MlNodeConfig.from_dict(data)


def test_run_exits_non_zero_with_the_file_and_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n[grpc]\nlisten = "nowhere"\n')
    with pytest.raises(SystemExit) as exited:
        run(path)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert str(path) in err and "must look like HOST:PORT" in err


def test_unparsable_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("name = \n")
    with pytest.raises(ConfigError, match="cannot read"):
        MlNodeConfig.load(path)
