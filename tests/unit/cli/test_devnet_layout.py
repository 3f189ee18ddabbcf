"""Devnet.create: the files of a fresh network, before any process runs."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

import pytest

from node.chain.app.genesis import Genesis
from node.core.consensus_keys import ConsensusKey
from node.core.keys import AccountKey
from node.devnet.genesis import FAUCET_BALANCE, PARTICIPANT_BALANCE, VALIDATOR_POWER
from node.devnet.network import Devnet, DevnetError


def test_layout(tmp_path: Path) -> None:
    net = Devnet.create(tmp_path / "net", participants=3, chain_id="lab-1")
    m = net.manifest
    assert [n.name for n in m.nodes] == ["p1-chain", "p2-chain", "p3-chain"]
    ports = [port for n in m.nodes for port in n.ports.values()]
    assert len(set(ports)) == len(ports) == 6

    genesis = Genesis.load(net.dir / "genesis.json")
    assert genesis.chain_id == "lab-1"
    assert genesis.faucet == m.faucet.address == AccountKey.from_private_hex(m.faucet.private_key).address
    balances = {a.address: a.balance for a in genesis.accounts}
    assert balances[m.faucet.address] == FAUCET_BALANCE
    for participant in m.participants:
        assert balances[participant.address] == PARTICIPANT_BALANCE
    assert {v.power for v in genesis.validators} == {VALIDATOR_POWER}

    for node, participant, validator in zip(m.nodes, m.participants, genesis.validators):
        folder = net.dir / node.participant / "chain"
        config = tomllib.loads((net.dir / node.config).read_text())
        assert config["chain_id"] == "lab-1" and config["name"] == node.participant
        assert config["rpc"]["listen"] == node.url == f"127.0.0.1:{node.ports['rpc']}"
        others = [f"127.0.0.1:{n.ports['p2p']}" for n in m.nodes if n is not node]
        assert config["p2p"]["peers"] == others
        assert (folder / config["genesis"]).read_text() == (net.dir / "genesis.json").read_text()
        key_file = folder / config["consensus_key"]
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        key = json.loads(key_file.read_text())
        assert ConsensusKey.from_seed(bytes.fromhex(key["seed"])).public_key == validator.consensus_public_key
        assert validator.operator_address == participant.address
        assert node.argv[-2:] == ["--config", node.config]
        assert not net.is_running(node)


def test_refuses_existing_network_unless_reset(tmp_path: Path) -> None:
    first = Devnet.create(tmp_path / "net", participants=1)
    with pytest.raises(DevnetError, match="already exists"):
        Devnet.create(tmp_path / "net", participants=1)
    second = Devnet.create(tmp_path / "net", participants=2, reset=True)
    assert second.manifest.faucet.address != first.manifest.faucet.address
    assert len(Devnet.open(tmp_path / "net").manifest.nodes) == 2


def test_bad_options(tmp_path: Path) -> None:
    for kwargs, message in (
        ({"participants": 0}, "between 1 and"),
        ({"participants": 33}, "between 1 and"),
        ({"only": "api"}, "unknown --only"),
    ):
        with pytest.raises(DevnetError, match=message):
            Devnet.create(tmp_path / "net", **kwargs)
    assert not (tmp_path / "net").exists()
