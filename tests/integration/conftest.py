"""Fixtures that run a real local network (real processes, gRPC, SQLite) and always stop it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from node.devnet.network import Devnet

VALIDATORS = 4


@pytest.fixture(scope="package")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    """One 4-validator chain-only network shared by the integration tests (stopped after their
    last one). A test that stops a node must start it again before it ends (see test_chain_faults)."""
    net = Devnet.up(tmp_path_factory.mktemp("devnet") / "net", participants=VALIDATORS)
    try:
        yield net
    finally:
        net.down()


@pytest.fixture
def home(tmp_path: Path, devnet: Devnet, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh $GONKA_HOME whose default network is the shared devnet."""
    monkeypatch.setenv("GONKA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GONKA_DEVNET_DIR", str(devnet.dir))
    return tmp_path / "home"
