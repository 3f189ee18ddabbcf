"""The api node's TOML configuration, checked completely before anything starts.

    name = "p1-api"
    model = "devnet-llama-10m-seed0"   # the model this participant serves
    adversary = ""                     # "" or "lazy-validator" (a test mode: skips validation duty)
    key = "account_key.json"           # {"address", "private_key"}: the participant's account key
    data = "data"                      # durable local state (committed seeds …)
    [chain]
    url = "127.0.0.1:26657"            # this participant's chain node (public gRPC)
    [public]
    listen = "127.0.0.1:9000"          # the HTTP API for developers and other api nodes
    url = "http://127.0.0.1:9000"      # how others reach it (default: http://LISTEN)
    limit_kb_per_block = 43008         # the network's bandwidth limit (default: the reference mainnet's)
    [ml]
    nodes = ["127.0.0.1:9300"]         # this participant's ML nodes (gRPC)
    [register]                         # only needed while the participant is not registered yet
    consensus_public_key = "<64 hex>"  # the Ed25519 key of this participant's chain node
    [startup]
    timeout_s = 120                    # wait this long for the chain, the ML nodes and funding

Paths are relative to the config file's folder. Unknown keys are errors, so a typo cannot
silently fall back to a default.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.api.context import ADVERSARY_MODES
from node.core.config_error import ConfigError
from node.core.consensus_keys import validate_consensus_public_key
from node.core.errors import InvalidKey
from node.core.keys import AccountKey
from node.core.listen import Listen

DEFAULT_STARTUP_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ApiNodeConfig:
    name: str
    model: str
    adversary: str
    key_path: Path
    data_dir: Path
    chain_url: str
    public_listen: Listen
    public_url: str
    ml_nodes: tuple[str, ...]
    consensus_public_key: bytes | None
    startup_timeout_s: float
    limit_kb_per_block: float | None = None

    @classmethod
    def load(cls, path: Path) -> ApiNodeConfig:
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read {path}: {error}") from None
        try:
            return cls.from_dict(data, path.parent)
        except ConfigError as error:
            raise ConfigError(f"{path}: {error}") from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Path) -> ApiNodeConfig:
        _known_keys("the top level", data, {"name", "model", "adversary", "key", "data", "chain", "public", "ml",
                                            "register", "startup"})
        chain = _table(data, "chain", {"url"}, required=True)
        public = _table(data, "public", {"listen", "url", "limit_kb_per_block"}, required=True)
        ml = _table(data, "ml", {"nodes"}, required=True)
        register = _table(data, "register", {"consensus_public_key"}, required=False)
        startup = _table(data, "startup", {"timeout_s"}, required=False)
        adversary = data.get("adversary", "")
        if adversary not in ADVERSARY_MODES:
            raise ConfigError(f"adversary must be one of {ADVERSARY_MODES}, got {adversary!r}")
        listen = Listen.parse("[public] listen", public.get("listen"))
        timeout_s = _positive("[startup] timeout_s", startup.get("timeout_s", DEFAULT_STARTUP_TIMEOUT_S))
        limit = public.get("limit_kb_per_block")
        return cls(
            name=_string(data, "name"),
            model=_string(data, "model"),
            adversary=adversary,
            key_path=base / _string(data, "key"),
            data_dir=base / data.get("data", "data"),
            chain_url=_string(chain, "url", "[chain] url"),
            public_listen=listen,
            public_url=str(public.get("url", f"http://{listen}")).rstrip("/"),
            ml_nodes=_ml_nodes(ml.get("nodes")),
            consensus_public_key=_consensus_key(register.get("consensus_public_key")),
            startup_timeout_s=timeout_s,
            limit_kb_per_block=None if limit is None else _positive("[public] limit_kb_per_block", limit),
        )

    def account_key(self) -> AccountKey:
        """The participant's key from its key file; the file's address, when given, must match."""
        try:
            record = json.loads(self.key_path.read_text())
            key = AccountKey.from_private_hex(record["private_key"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"key file {self.key_path} is unusable: {error}") from None
        if record.get("address", key.address) != key.address:
            raise ConfigError(f"key file {self.key_path}: address {record['address']} does not match its key")
        return key


def _known_keys(where: str, table: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"unknown keys in {where}: {', '.join(unknown)} (known: {', '.join(sorted(known))})")


def _table(data: Mapping[str, Any], key: str, known: set[str], *, required: bool) -> Mapping[str, Any]:
    if key not in data:
        if required:
            raise ConfigError(f"[{key}] is missing")
        return {}
    value = data[key]
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be a table [{key}]")
    _known_keys(f"[{key}]", value, known)
    return value


def _string(table: Mapping[str, Any], key: str, where: str | None = None) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where or key} must be a non-empty string, got {value!r}")
    return value


def _positive(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where} must be a positive number, got {value!r}")
    return float(value)


def _ml_nodes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(url, str) and url for url in value):
        raise ConfigError(f"[ml] nodes must be a non-empty list of HOST:PORT strings, got {value!r}")
    for url in value:
        Listen.parse("[ml] nodes entry", url.removeprefix("grpc://"))
    return tuple(value)


def _consensus_key(value: Any) -> bytes | None:
    if value is None:
        return None
    try:
        key = bytes.fromhex(value) if isinstance(value, str) else b""
        validate_consensus_public_key(key)
    except (ValueError, InvalidKey) as error:
        raise ConfigError(f"[register] consensus_public_key must be 64 hex characters of an Ed25519 key: {error}")
    return key
