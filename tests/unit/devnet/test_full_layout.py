"""A full network's files before anything runs: three nodes per participant, configs each node
kind loads, adversary modes in the right node, and `gonka node init` for a host elsewhere."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from gonka_lab.commands.node_init import init_command
from node.api.config import ApiNodeConfig, ConfigError
from node.chain.app.genesis import Genesis
from node.chain.config import ChainNodeConfig
from node.devnet import manifest as manifest_io
from node.devnet.network import Devnet, DevnetError
from node.ml.config import MlNodeConfig

ADVERSARIES = {"p2": "fake-pow", "p3": "wrong-model", "p4": "lazy-validator"}


def test_full_network_layout(tmp_path: Path) -> None:
    net = Devnet.create(tmp_path / "net", participants=4, only="all", adversaries=ADVERSARIES)
    m = manifest_io.load(net.dir)
    assert [n.name for n in m.nodes if n.participant == "p1"] == ["p1-chain", "p1-ml", "p1-api"]
    ports = [port for n in m.nodes for port in n.ports.values()]
    assert len(set(ports)) == len(ports) == 16
    assert {p.name: p.adversary for p in m.participants} == {"p1": "", **ADVERSARIES}
    genesis = Genesis.load(net.dir / "genesis.json")
    keys = {a.address: a.public_key for a in genesis.accounts}
    assert keys[m.faucet.address] is not None  # signed requests by the faucet verify from block 1

    for participant, validator in zip(m.participants, genesis.validators):
        chain, ml, api = (m.node(f"{participant.name}-{kind}") for kind in ("chain", "ml", "api"))
        assert validator.url == api.url and keys[participant.address] is not None
        assert ChainNodeConfig.load(net.dir / chain.config).timeouts.commit_ms == 1000  # ~1 s blocks

        ml_config = MlNodeConfig.load(net.dir / ml.config)
        assert str(ml_config.grpc_listen) == ml.url and ml_config.pow.threads == ml_config.inference.threads == 1
        assert ml_config.pow.adversary == ("fake-pow" if participant.adversary == "fake-pow" else "")
        assert ml_config.inference.adversary == ("wrong-model" if participant.adversary == "wrong-model" else None)

        api_config = ApiNodeConfig.load(net.dir / api.config)
        assert api_config.public_url == api.url and api_config.chain_url == chain.url
        assert api_config.ml_nodes == (ml.url,) and api_config.model == m.model
        assert api_config.adversary == ("lazy-validator" if participant.adversary == "lazy-validator" else "")
        assert api_config.account_key().address == participant.address
        assert api_config.consensus_public_key == validator.consensus_public_key
        assert stat.S_IMODE(api_config.key_path.stat().st_mode) == 0o600
        for node in (chain, ml, api):
            assert node.argv == ["-m", "gonka_lab.cli", "node", node.kind, "--config", node.config]


def test_bad_adversaries_change_nothing(tmp_path: Path) -> None:
    for kwargs, message in (
        ({"only": "all", "adversaries": {"p9": "fake-pow"}}, "no participant 'p9'"),
        ({"only": "all", "adversaries": {"p1": "sloppy"}}, "unknown mode"),
        ({"only": "chain", "adversaries": {"p1": "fake-pow"}}, "need a full network"),
    ):
        with pytest.raises(DevnetError, match=message):
            Devnet.create(tmp_path / "net", participants=2, **kwargs)
    assert not (tmp_path / "net").exists()


def test_api_config_errors_are_clear(tmp_path: Path) -> None:
    good = {"name": "a", "model": "m", "key": "k.json", "chain": {"url": "127.0.0.1:1"},
            "public": {"listen": "127.0.0.1:2"}, "ml": {"nodes": ["127.0.0.1:3"]}}
    assert ApiNodeConfig.from_dict(good, tmp_path).public_url == "http://127.0.0.1:2"
    for change, message in (
        ({"colour": "red"}, "unknown keys in the top level: colour"),
        ({"adversary": "fake-pow"}, "adversary must be one of"),
        ({"public": {"listen": "nowhere"}}, "HOST:PORT"),
        ({"ml": {"nodes": []}}, "non-empty list"),
        ({"register": {"consensus_public_key": "zz"}}, "consensus_public_key"),
        ({"startup": {"timeout_s": -1}}, "positive"),
    ):
        with pytest.raises(ConfigError, match=message):
            ApiNodeConfig.from_dict(good | change, tmp_path)
    (tmp_path / "k.json").write_text(json.dumps({"address": "gonka1other", "private_key": "11" * 32}))
    with pytest.raises(ConfigError, match="does not match"):
        ApiNodeConfig.from_dict(good, tmp_path).account_key()


def test_node_init_prepares_a_joining_host(tmp_path: Path) -> None:
    net = Devnet.create(tmp_path / "net", participants=2, only="all")
    peer = net.manifest.node("p1-chain").urls["p2p"]
    target = tmp_path / "elsewhere"
    args = ["--genesis", str(net.dir / "genesis.json"), "--peer", peer, "--dir", str(target), "--api-port", "9100",
            "--json"]
    result = CliRunner().invoke(init_command, args)
    assert result.exit_code == 0, result.output
    prepared = json.loads(result.stdout)
    chain = tomllib.loads((target / "chain" / "config.toml").read_text())
    assert chain["p2p"]["peers"] == [peer] and chain["chain_id"] == net.manifest.chain_id
    assert (target / "chain" / "genesis.json").read_text() == (net.dir / "genesis.json").read_text()
    api = ApiNodeConfig.load(target / "api" / "config.toml")
    assert api.account_key().address == prepared["address"] and api.public_url == "http://127.0.0.1:9100"
    assert api.consensus_public_key is not None and api.model == net.manifest.model
    assert MlNodeConfig.load(target / "ml" / "config.toml").inference.models == (net.manifest.model,)
    assert prepared["commands"][2] == f"gonka node api --config {target / 'api' / 'config.toml'}"

    again = CliRunner().invoke(init_command, args)  # never overwrites a prepared host's keys
    assert again.exit_code == 1 and "not empty" in json.loads(again.stdout)["error"]


def test_api_node_process_refuses_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "api.toml"
    config.write_text('name = "x"\nmodel = "m"\nkey = "k.json"\n[chain]\nurl = "127.0.0.1:1"\n')
    run = subprocess.run([sys.executable, "-m", "gonka_lab.cli", "node", "api", "--config", str(config)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "[public] is missing" in run.stderr, run.stderr
