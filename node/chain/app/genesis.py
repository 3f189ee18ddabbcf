"""The genesis document: JSON in, a validated `Genesis` out (and back).

    {
      "chain_id": "gonka-devnet",
      "genesis_time_ms": 1767225600000,
      "params": {"profile": "devnet", "overrides": {"epoch": {"epoch_length": 60}}},
      "accounts": [{"address": "gonka1...", "balance": 1000000000, "public_key": "02ab..."}],
      "validators": [{"name": "node0", "operator_address": "gonka1...",
                      "consensus_public_key": "<64 hex>", "power": 10,
                      "url": "http://127.0.0.1:9000", "models": ["devnet-llama-10m-seed0"]}],
      "faucet": "gonka1...",
      "models": [{"id": "devnet-llama-10m-seed0", "validation_threshold_ppm": 850000,
                  "weight_fingerprint": "sha256:<64 hex>"}]
    }

Balances are ngonka integers; `public_key` (33-byte compressed secp256k1, hex)
is optional and must match the address; `faucet` (optional) must be a funded
account: `gonka net fund` is a plain MsgSend signed by the faucet key.
Each validator is also a registered host from block 1: `url` (optional, may
be set later by MsgRegisterParticipant) and `models` (optional, default: every
registry model). `models` (optional) seeds the model registry; without it the
params profile's models are used (models/defaults.py). Documents without the
optional fields keep their meaning and their canonical JSON.
Constructing a Genesis validates it, so no invalid Genesis object exists.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.chain.app.encoding import U64_MAX
from node.chain.app.models.defaults import default_models
from node.chain.app.params.profiles import resolve_params
from node.chain.app.participants.rules import MAX_MODELS, MAX_NAME_CHARS, names_problem, url_problem
from node.core.consensus_keys import validate_consensus_public_key
from node.core.errors import InvalidAddress, InvalidKey
from node.core.keys import address_from_public_key, decode_address
from node.proto.gonka.models_pb2 import Model
from node.proto.gonka.params_pb2 import Params

_CHAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}")
_FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")
# CometBFT's MaxTotalVotingPower (2^63 / 8), so priority arithmetic cannot overflow.
MAX_TOTAL_POWER = (1 << 63) // 8


class GenesisError(ValueError):
    """The genesis document is malformed or inconsistent."""


@dataclass(frozen=True)
class GenesisAccount:
    address: str
    balance: int
    public_key: bytes | None = None


@dataclass(frozen=True)
class GenesisValidator:
    name: str
    operator_address: str
    consensus_public_key: bytes
    power: int
    url: str = ""
    models: tuple[str, ...] = ()  # empty: every registry model


@dataclass(frozen=True)
class GenesisModel:
    id: str
    validation_threshold_ppm: int
    weight_fingerprint: str = ""


@dataclass(frozen=True)
class Genesis:
    chain_id: str
    genesis_time_ms: int
    params_profile: str
    accounts: tuple[GenesisAccount, ...]
    validators: tuple[GenesisValidator, ...]
    params_overrides: Mapping[str, Any] = field(default_factory=dict)
    faucet: str | None = None
    models: tuple[GenesisModel, ...] | None = None  # None: the params profile's models

    def __post_init__(self) -> None:
        # A detached JSON copy: the caller's dict cannot change this genesis later.
        try:
            overrides = json.loads(json.dumps(self.params_overrides))
        except (TypeError, ValueError) as exc:
            raise GenesisError(f"params overrides are not JSON data: {exc}") from None
        object.__setattr__(self, "params_overrides", overrides)
        _validate(self)

    def params(self) -> Params:
        return resolve_params(self.params_profile, self.params_overrides)

    def model_registry(self) -> list[Model]:
        if self.models is None:
            return default_models(self.params_profile)
        return [
            Model(id=m.id, validation_threshold_ppm=m.validation_threshold_ppm, weight_fingerprint=m.weight_fingerprint)
            for m in self.models
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "genesis_time_ms": self.genesis_time_ms,
            "params": {"profile": self.params_profile, "overrides": dict(self.params_overrides)},
            "accounts": [
                {"address": a.address, "balance": a.balance}
                | ({} if a.public_key is None else {"public_key": a.public_key.hex()})
                for a in self.accounts
            ],
            "validators": [
                {
                    "name": v.name,
                    "operator_address": v.operator_address,
                    "consensus_public_key": v.consensus_public_key.hex(),
                    "power": v.power,
                }
                | ({"url": v.url} if v.url else {})
                | ({"models": list(v.models)} if v.models else {})
                for v in self.validators
            ],
            "faucet": self.faucet,
        } | ({} if self.models is None else {"models": [dataclasses.asdict(m) for m in self.models]})

    def to_json(self) -> str:
        """Canonical JSON (sorted keys): equal genesis documents give equal text."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> Genesis:
        doc = _object(
            data,
            "genesis",
            required={"chain_id", "genesis_time_ms", "params", "accounts", "validators"},
            optional={"faucet", "models"},
        )
        params = _object(doc["params"], "params", required={"profile"}, optional={"overrides"})
        accounts = [_account(item, i) for i, item in enumerate(_list(doc["accounts"], "accounts"))]
        validators = [_validator(item, i) for i, item in enumerate(_list(doc["validators"], "validators"))]
        return cls(
            chain_id=doc["chain_id"],
            genesis_time_ms=doc["genesis_time_ms"],
            params_profile=params["profile"],
            params_overrides=params.get("overrides", {}),
            accounts=tuple(accounts),
            validators=tuple(validators),
            faucet=doc.get("faucet"),
            models=_models(doc.get("models")),
        )

    @classmethod
    def from_json(cls, text: str) -> Genesis:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GenesisError(f"genesis is not valid JSON: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> Genesis:
        return cls.from_json(Path(path).read_text())

    def dump(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n")


def _object(
    data: Any, what: str, required: AbstractSet[str], optional: AbstractSet[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise GenesisError(f"{what} must be a JSON object")
    missing = required - data.keys()
    if missing:
        raise GenesisError(f"{what} is missing {sorted(missing)}")
    unknown = data.keys() - required - optional
    if unknown:
        raise GenesisError(f"{what} has unknown fields {sorted(unknown)}")
    return data


def _list(data: Any, what: str) -> list[Any]:
    if not isinstance(data, list):
        raise GenesisError(f"{what} must be a JSON array")
    return data


def _hex(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise GenesisError(f"{what} must be a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise GenesisError(f"{what} is not valid hex") from None


def _account(item: Any, index: int) -> GenesisAccount:
    what = f"accounts[{index}]"
    doc = _object(item, what, required={"address", "balance"}, optional={"public_key"})
    key = doc.get("public_key")
    return GenesisAccount(doc["address"], doc["balance"], None if key is None else _hex(key, f"{what}.public_key"))


def _validator(item: Any, index: int) -> GenesisValidator:
    what = f"validators[{index}]"
    doc = _object(
        item, what, required={"name", "operator_address", "consensus_public_key", "power"}, optional={"url", "models"}
    )
    key = _hex(doc["consensus_public_key"], f"{what}.consensus_public_key")
    models = _list(doc.get("models", []), f"{what}.models")
    return GenesisValidator(doc["name"], doc["operator_address"], key, doc["power"], doc.get("url", ""), tuple(models))


def _models(data: Any) -> tuple[GenesisModel, ...] | None:
    if data is None:
        return None
    return tuple(_model(item, index) for index, item in enumerate(_list(data, "models")))


def _model(item: Any, index: int) -> GenesisModel:
    what = f"models[{index}]"
    doc = _object(item, what, required={"id", "validation_threshold_ppm"}, optional={"weight_fingerprint"})
    return GenesisModel(doc["id"], doc["validation_threshold_ppm"], doc.get("weight_fingerprint", ""))


def _check_int(value: Any, what: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise GenesisError(f"{what} must be an integer in [{low}, {high}], got {value!r}")


def _check_address(value: Any, what: str) -> None:
    try:
        decode_address(value)
    except InvalidAddress as exc:
        raise GenesisError(f"{what}: {exc}") from None


def _validate(genesis: Genesis) -> None:
    if not isinstance(genesis.chain_id, str) or not _CHAIN_ID.fullmatch(genesis.chain_id):
        raise GenesisError(f"chain_id must be 1-50 characters of [A-Za-z0-9._-], got {genesis.chain_id!r}")
    _check_int(genesis.genesis_time_ms, "genesis_time_ms", 0, U64_MAX)
    try:
        genesis.params()
    except ValueError as exc:
        raise GenesisError(f"params: {exc}") from None
    _validate_accounts(genesis)
    _validate_models(genesis)
    _validate_validators(genesis)


def _validate_accounts(genesis: Genesis) -> None:
    seen: set[str] = set()
    total = 0
    for index, account in enumerate(genesis.accounts):
        what = f"accounts[{index}]"
        _check_address(account.address, f"{what}.address")
        if account.address in seen:
            raise GenesisError(f"{what}: duplicate address {account.address}")
        seen.add(account.address)
        _check_int(account.balance, f"{what}.balance", 0, U64_MAX)
        total += account.balance
        if account.public_key is not None:
            try:
                derived = address_from_public_key(account.public_key)
            except InvalidKey as exc:
                raise GenesisError(f"{what}.public_key: {exc}") from None
            if derived != account.address:
                raise GenesisError(f"{what}.public_key belongs to {derived}, not {account.address}")
    if total > U64_MAX:
        raise GenesisError("the sum of genesis balances does not fit in 64 bits")
    if genesis.faucet is not None:
        funded = {a.address for a in genesis.accounts if a.balance > 0}
        if genesis.faucet not in funded:
            raise GenesisError(f"faucet {genesis.faucet!r} must be a funded genesis account")


def _validate_validators(genesis: Genesis) -> None:
    if not genesis.validators:
        raise GenesisError("genesis needs at least one validator")
    names: set[str] = set()
    keys: set[bytes] = set()
    operators: set[str] = set()
    registry = {model.id for model in genesis.model_registry()}
    for index, validator in enumerate(genesis.validators):
        what = f"validators[{index}]"
        if not isinstance(validator.name, str) or not validator.name or validator.name in names:
            raise GenesisError(f"{what}.name must be a non-empty unique string, got {validator.name!r}")
        names.add(validator.name)
        _check_address(validator.operator_address, f"{what}.operator_address")
        if validator.operator_address in operators:  # each operator becomes one host participant
            raise GenesisError(f"{what}: duplicate operator_address {validator.operator_address}")
        operators.add(validator.operator_address)
        _check_host_fields(validator, what, registry)
        try:
            validate_consensus_public_key(validator.consensus_public_key)
        except InvalidKey as exc:
            raise GenesisError(f"{what}.consensus_public_key: {exc}") from None
        if validator.consensus_public_key in keys:
            raise GenesisError(f"{what}: duplicate consensus_public_key")
        keys.add(validator.consensus_public_key)
        _check_int(validator.power, f"{what}.power", 1, MAX_TOTAL_POWER)
    if sum(v.power for v in genesis.validators) > MAX_TOTAL_POWER:
        raise GenesisError(f"total validator power exceeds {MAX_TOTAL_POWER}")


def _check_host_fields(validator: GenesisValidator, what: str, registry: AbstractSet[str]) -> None:
    if not isinstance(validator.url, str) or not all(isinstance(model, str) for model in validator.models):
        raise GenesisError(f"{what}: url and models must be strings")
    problem = (url_problem(validator.url) if validator.url else None) or names_problem(
        f"{what}.models", list(validator.models), 0, MAX_MODELS
    )
    if problem:
        raise GenesisError(f"{what}: {problem}")
    unknown = sorted(set(validator.models) - registry)
    if unknown:
        raise GenesisError(f"{what}.models: not in the model registry: {unknown}")


def _validate_models(genesis: Genesis) -> None:
    if genesis.models is None:
        return
    if not genesis.models:
        raise GenesisError("models, when given, must list at least one model")
    seen: set[str] = set()
    for index, model in enumerate(genesis.models):
        what = f"models[{index}]"
        if not isinstance(model.id, str) or not model.id or len(model.id) > MAX_NAME_CHARS or model.id in seen:
            raise GenesisError(f"{what}.id must be a unique string of 1 to {MAX_NAME_CHARS} characters")
        seen.add(model.id)
        _check_int(model.validation_threshold_ppm, f"{what}.validation_threshold_ppm", 0, 1_000_000)
        if not isinstance(model.weight_fingerprint, str) or (
            model.weight_fingerprint and not _FINGERPRINT.fullmatch(model.weight_fingerprint)
        ):
            raise GenesisError(f"{what}.weight_fingerprint must be empty or 'sha256:' and 64 lowercase hex")
