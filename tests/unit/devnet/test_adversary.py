"""Switching a participant's adversary mode on a full network's files: the right node config
changes (and loads), honest-to-honest changes nothing, and bad requests fail before any restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.api.config import ApiNodeConfig
from node.devnet import manifest as manifest_io
from node.devnet.adversary import _api_config, _ml_config, _rewrite, is_full, set_adversary
from node.devnet.network import Devnet, DevnetError
from node.ml.config import MlNodeConfig


@pytest.fixture
def full(tmp_path: Path) -> Devnet:
    return Devnet.create(tmp_path / "net", participants=2, only="all", adversaries={"p2": "fake-pow"})


def _configs(net: Devnet, name: str) -> tuple[MlNodeConfig, ApiNodeConfig]:
    return (MlNodeConfig.load(net.dir / net.node(f"{name}-ml").config),
            ApiNodeConfig.load(net.dir / net.node(f"{name}-api").config))


@pytest.mark.parametrize(
    ("mode", "pow_mode", "inference_mode", "api_mode", "training_mode"),
    [("wrong-model", "", "wrong-model", "", ""), ("lazy-validator", "", None, "lazy-validator", ""),
     ("lazy-trainer", "", None, "", "lazy-trainer"), ("", "", None, "", "")],
)
def test_rewriting_moves_the_mode_to_the_node_that_runs_it(
    full: Devnet, mode: str, pow_mode: str, inference_mode: str | None, api_mode: str, training_mode: str
) -> None:
    ml, api = full.node("p2-ml"), full.node("p2-api")
    assert _rewrite(full.dir / ml.config, _ml_config, mode) is True  # p2 ran fake-pow
    assert _rewrite(full.dir / api.config, _api_config, mode) is (api_mode != "")
    ml_config, api_config = _configs(full, "p2")
    assert (ml_config.pow.adversary, ml_config.inference.adversary, api_config.adversary) == (
        pow_mode, inference_mode, api_mode)
    assert ml_config.training.adversary == training_mode


def test_an_unchanged_mode_restarts_nothing_and_is_recorded(full: Devnet) -> None:
    assert is_full(full)
    assert set_adversary(full, "p1", "", timeout_s=5) == []
    assert set_adversary(full, "p2", "fake-pow", timeout_s=5) == []
    assert {p.name: p.adversary for p in manifest_io.load(full.dir).participants} == {"p1": "", "p2": "fake-pow"}


def test_bad_requests_fail_before_touching_anything(full: Devnet, tmp_path: Path) -> None:
    before = (full.dir / full.node("p1-ml").config).read_text()
    with pytest.raises(DevnetError, match="unknown adversary mode 'teleport'"):
        set_adversary(full, "p1", "teleport", timeout_s=5)
    with pytest.raises(DevnetError, match="no participant 'p9'"):
        set_adversary(full, "p9", "fake-pow", timeout_s=5)
    assert (full.dir / full.node("p1-ml").config).read_text() == before
    chain_only = Devnet.create(tmp_path / "chain", participants=1)
    assert not is_full(chain_only)
    with pytest.raises(DevnetError, match="full network"):
        set_adversary(chain_only, "p1", "fake-pow", timeout_s=5)
