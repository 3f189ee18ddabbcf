import json
from pathlib import Path
from typing import Any

import pytest

from node.chain.app.app import GonkaApp
from node.chain.app.genesis import Genesis, GenesisError
from node.chain.app.models.defaults import DEVNET_MODEL_ID
from node.chain.store.db import ChainDB

from .harness import ALICE, BOB, CAROL, CHAIN_ID, VALIDATOR_KEYS, make_genesis


def doc() -> dict[str, Any]:
    return make_genesis(epoch={"epoch_length": 60}).to_dict()


def test_json_round_trip(tmp_path: Path) -> None:
    genesis = make_genesis(epoch={"epoch_length": 60})
    genesis.dump(tmp_path / "genesis.json")
    loaded = Genesis.load(tmp_path / "genesis.json")
    assert loaded == genesis
    assert loaded.params().epoch.epoch_length == 60
    assert loaded.accounts[0].public_key == ALICE.public_key
    assert loaded.accounts[1].public_key is None


def test_overrides_are_detached_from_the_callers_dict() -> None:
    overrides = {"epoch": {"epoch_length": 60}}
    genesis = make_genesis(epoch=overrides["epoch"])
    overrides["epoch"]["epoch_length"] = 1
    assert genesis.params().epoch.epoch_length == 60


def mutate(path: str, value: Any) -> dict[str, Any]:
    data = doc()
    target = data
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("chain_id", "", "chain_id"),
        ("chain_id", "bad chain", "chain_id"),
        ("genesis_time_ms", -1, "genesis_time_ms"),
        ("genesis_time_ms", KeyError, "missing"),
        ("surprise", 1, "unknown fields"),
        ("params.profile", "moonnet", "unknown params profile"),
        ("params.overrides", {"epoch": {"epoch_lenght": 5}}, "unknown params field"),
        ("params.overrides", {"epoch": {"epoch_length": "40"}}, "non-negative integer"),
        ("params.overrides", {"epoch": {"epoch_length": 11, "epoch_shift": 0}}, "not inside epoch_length"),
        ("params.overrides", {"epoch": {"epoch_shift": 60}}, "epoch_shift"),
        ("accounts.0.address", "gonka1xyz", r"accounts\[0\]\.address"),
        ("accounts.1.address", ALICE.address, "duplicate address"),
        ("accounts.0.balance", True, "balance"),
        ("accounts.0.balance", 2**64, "balance"),
        ("accounts.1.balance", 2**64 - 1, "64 bits"),
        ("accounts.0.public_key", BOB.public_key.hex(), "belongs to"),
        ("accounts.0.public_key", "zz", "hex"),
        ("accounts.0.public_key", "02" * 33, "public_key"),
        ("validators", [], "at least one validator"),
        ("validators.0.consensus_public_key", "00" * 32, "consensus_public_key"),
        ("validators.1.consensus_public_key", VALIDATOR_KEYS[0].public_key.hex(), "duplicate consensus"),
        ("validators.1.name", "val0", "name"),
        ("validators.0.power", 0, "power"),
        ("validators.0.operator_address", "cosmos1abc", "operator_address"),
        ("faucet", CAROL.address, "faucet"),
        ("validators.1.operator_address", ALICE.address, "duplicate operator_address"),
        ("validators.0.url", "ftp://x", "url"),
        ("validators.0.models", ["Qwen/QwQ-32B"], "not in the model registry"),
        ("validators.0.models", [DEVNET_MODEL_ID, DEVNET_MODEL_ID], "duplicate"),
        ("models", [], "at least one model"),
        ("models", [{"id": "m", "validation_threshold_ppm": 1_000_001}], "validation_threshold_ppm"),
        ("models", [{"id": "m", "validation_threshold_ppm": 1, "weight_fingerprint": "abc"}], "weight_fingerprint"),
        ("models", [{"id": "m", "validation_threshold_ppm": 1}, {"id": "m", "validation_threshold_ppm": 2}], "unique"),
        ("params.overrides", {"poc": {"max_individual_power_ppm": 0}}, "max_individual_power_ppm"),
        ("params.overrides", {"collateral": {"slash_fraction_invalid_ppm": 1_000_001}}, "ppm ratio"),
    ],
)
def test_invalid_genesis_is_rejected(path: str, value: Any, message: str) -> None:
    with pytest.raises(GenesisError, match=message):
        Genesis.from_dict(mutate(path, value))


def test_optional_host_fields_and_models_round_trip() -> None:
    data = doc()
    old_text = Genesis.from_dict(data).to_json()
    assert "url" not in old_text and '"models"' not in old_text  # old documents keep their canonical text
    data["validators"][0] |= {"url": "http://127.0.0.1:9000", "models": ["m1"]}
    data["models"] = [
        {"id": "m1", "validation_threshold_ppm": 980_000, "weight_fingerprint": "sha256:" + "ab" * 32},
        {"id": "m2", "validation_threshold_ppm": 850_000},
    ]
    genesis = Genesis.from_dict(data)
    assert Genesis.from_json(genesis.to_json()) == genesis
    assert [m.id for m in genesis.model_registry()] == ["m1", "m2"]
    assert genesis.validators[0].url == "http://127.0.0.1:9000"
    assert genesis.validators[1].models == ()  # every registry model, once in state


def test_invalid_json_text() -> None:
    with pytest.raises(GenesisError, match="JSON"):
        Genesis.from_json("{not json")
    with pytest.raises(GenesisError, match="object"):
        Genesis.from_json(json.dumps([1]))


def test_init_chain_is_idempotent(tmp_path: Path) -> None:
    genesis = make_genesis()
    app = GonkaApp(ChainDB(tmp_path / "n.db"), CHAIN_ID)
    assert app.info().last_height == 0 and app.info().last_app_hash == b""
    updates, app_hash = app.init_chain(genesis)
    assert [(u.public_key, u.power) for u in updates] == [(k.public_key, 10) for k in VALIDATOR_KEYS]
    assert app.info().last_app_hash == app_hash
    # A restarted node gets the stored result back.
    again = GonkaApp(ChainDB(tmp_path / "n.db"), CHAIN_ID)
    assert again.init_chain(genesis) == (updates, app_hash)


def test_init_chain_refuses_a_different_genesis_or_chain(tmp_path: Path) -> None:
    app = GonkaApp(ChainDB(tmp_path / "n.db"), CHAIN_ID)
    _, app_hash = app.init_chain(make_genesis())
    with pytest.raises(ValueError, match="different genesis"):
        app.init_chain(make_genesis(epoch={"epoch_length": 60}))
    other = GonkaApp(ChainDB(tmp_path / "o.db"), "another-chain")
    with pytest.raises(ValueError, match="chain"):
        other.init_chain(make_genesis())
    assert other.info().last_app_hash == b""
    assert app.info().last_app_hash == app_hash


def test_genesis_app_hash_depends_on_every_input(tmp_path: Path) -> None:
    def app_hash(name: str, genesis: Genesis) -> bytes:
        return GonkaApp(ChainDB(tmp_path / name), CHAIN_ID).init_chain(genesis)[1]

    base = app_hash("a.db", make_genesis())
    assert app_hash("b.db", make_genesis()) == base
    assert app_hash("c.db", make_genesis(epoch={"epoch_length": 60})) != base
    assert app_hash("d.db", make_genesis("testermint")) != base
