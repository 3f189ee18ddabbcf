"""The ML node's TOML configuration, checked completely before anything starts.

    name = "p1-ml"
    [grpc]
    listen = "127.0.0.1:9300"
    queue_limit = 8              # inference requests that may wait per model beyond the running one
    [metrics]                    # optional: Prometheus /metrics over HTTP
    listen = "127.0.0.1:9301"
    [pow]
    dtype = "float32"            # float32 | float16 (every node of a network must agree)
    threads = 1                  # torch CPU threads for PoW work
    batch_size = 64              # nonces per batch when InitGenerate sends 0
    adversary = ""               # "" or "fake-pow" (claims nonces it never computed)
    fake_inflation = 1.0         # fake-pow: made-up claims per real valid nonce
    [inference]                  # exactly node.ml.inference.InferenceConfig; its models load at start
    models = ["devnet-llama-10m-seed0"]
    [training]
    home = "training"            # workers' folders (event logs, artifacts), relative to this file
    adversary = ""               # "" or "lazy-trainer[:skip|noise|stale]" (its workers cheat)

Unknown keys are errors, so a typo cannot silently fall back to a default.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.core.config_error import ConfigError
from node.core.listen import Listen
from node.ml.inference.config import InferenceConfig
from node.ml.inference.errors import InferenceError
from node.ml.inference.model_spec import ModelSpec
from node.ml.pow.engine import DEFAULT_BATCH_SIZE, DTYPES
from node.ml.service.pow_setup import MAX_BATCH_SIZE
from node.ml.training.adversary import make_policy

POW_ADVERSARIES = ("fake-pow",)
DEFAULT_QUEUE_LIMIT = 8


@dataclass(frozen=True)
class PowConfig:
    dtype: str = "float32"
    threads: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    adversary: str = ""
    fake_inflation: float = 1.0

    @property
    def fake_inflation_or_none(self) -> float | None:
        """The fake-pow inflation when that adversary is on, else None (honest)."""
        return self.fake_inflation if self.adversary == "fake-pow" else None


@dataclass(frozen=True)
class TrainingConfig:
    home: Path = Path("training")
    adversary: str = ""


@dataclass(frozen=True)
class MlNodeConfig:
    name: str
    grpc_listen: Listen
    queue_limit: int
    metrics_listen: Listen | None
    pow: PowConfig
    inference: InferenceConfig
    training: TrainingConfig = TrainingConfig()

    @classmethod
    def load(cls, path: Path) -> MlNodeConfig:
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read {path}: {error}") from None
        try:
            return cls.from_dict(data, base=path.parent)
        except ConfigError as error:
            raise ConfigError(f"{path}: {error}") from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Path = Path(".")) -> MlNodeConfig:
        """`base`: the folder relative paths are resolved against (the config file's)."""
        _known_keys("the top level", data, {"name", "grpc", "metrics", "pow", "inference", "training"})
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError("name must be a non-empty string")
        grpc = _table(data, "grpc", required=True)
        _known_keys("[grpc]", grpc, {"listen", "queue_limit"})
        if "listen" not in grpc:
            raise ConfigError("[grpc] listen is missing")
        metrics = _table(data, "metrics", required=False)
        _known_keys("[metrics]", metrics, {"listen"})
        return cls(
            name=name,
            grpc_listen=Listen.parse("[grpc] listen", grpc["listen"]),
            queue_limit=_int("[grpc] queue_limit", grpc.get("queue_limit", DEFAULT_QUEUE_LIMIT), low=0),
            metrics_listen=Listen.parse("[metrics] listen", metrics["listen"]) if "listen" in metrics else None,
            pow=_pow(_table(data, "pow", required=False)),
            inference=_inference(_table(data, "inference", required=False)),
            training=_training(_table(data, "training", required=False), base),
        )


def _pow(table: Mapping[str, Any]) -> PowConfig:
    _known_keys("[pow]", table, {"dtype", "threads", "batch_size", "adversary", "fake_inflation"})
    config = PowConfig(**table)
    if config.dtype not in DTYPES:
        raise ConfigError(f"[pow] dtype must be one of {', '.join(DTYPES)}, got {config.dtype!r}")
    _int("[pow] threads", config.threads, low=1)
    _int("[pow] batch_size", config.batch_size, low=1, high=MAX_BATCH_SIZE)
    if config.adversary not in ("", *POW_ADVERSARIES):
        raise ConfigError(
            f'[pow] adversary must be "" or one of {", ".join(POW_ADVERSARIES)}, got {config.adversary!r}'
        )
    inflation = config.fake_inflation
    if (
        isinstance(inflation, bool)
        or not isinstance(inflation, (int, float))
        or not math.isfinite(inflation)
        or inflation <= 0
    ):
        raise ConfigError(f"[pow] fake_inflation must be a positive number, got {inflation!r}")
    return config


def _inference(table: Mapping[str, Any]) -> InferenceConfig:
    models = table.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise ConfigError(f"[inference] models must be a list of strings, got {models!r}")
    try:
        config = InferenceConfig.from_dict(table)
        for model in config.models:
            ModelSpec.parse(model)  # an unknown id or a missing directory fails now, not after start
    except InferenceError as error:
        raise ConfigError(f"[inference] {error.message}") from None
    except TypeError as error:  # a value of the wrong type reached InferenceConfig
        raise ConfigError(f"[inference] {error}") from None
    return config


def _training(table: Mapping[str, Any], base: Path) -> TrainingConfig:
    _known_keys("[training]", table, {"home", "adversary"})
    home, adversary = table.get("home", "training"), table.get("adversary", "")
    if not isinstance(home, str) or not home:
        raise ConfigError(f"[training] home must be a non-empty path, got {home!r}")
    if not isinstance(adversary, str):
        raise ConfigError(f"[training] adversary must be a string, got {adversary!r}")
    try:
        make_policy(adversary)
    except ValueError as error:
        raise ConfigError(f"[training] adversary: {error}") from None
    return TrainingConfig(home=base / home, adversary=adversary)


def _table(data: Mapping[str, Any], key: str, *, required: bool) -> Mapping[str, Any]:
    if key not in data:
        if required:
            raise ConfigError(f"[{key}] is missing")
        return {}
    value = data[key]
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be a table [{key}]")
    return value


def _known_keys(where: str, table: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"unknown keys in {where}: {', '.join(unknown)} (known: {', '.join(sorted(known))})")


def _int(where: str, value: Any, *, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ConfigError(f"{where} must be an integer {bound}, got {value!r}")
    return value
