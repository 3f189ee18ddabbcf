"""Shared fixtures: a home folder and a devnet folder that nothing outside the test can see, and
pytest-jupyter's in-process Jupyter server (for test_handlers.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403  (fixtures jp_fetch, jp_serverapp …)

from node.devnet.network import Devnet


@pytest.fixture
def devnet_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$GONKA_HOME and $GONKA_DEVNET_DIR point into tmp_path; returns the devnet folder (empty)."""
    monkeypatch.setenv("GONKA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GONKA_DEVNET_DIR", str(tmp_path / "devnet"))
    return tmp_path / "devnet"


@pytest.fixture
def stopped_devnet(devnet_env: Path) -> Devnet:
    """A real 3-participant devnet folder (keys, genesis, configs, manifest) whose nodes were never started."""
    return Devnet.create(devnet_env, participants=3)


@pytest.fixture  # type: ignore[no-redef]  # replaces pytest-jupyter's: load our extension
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"gonka_lab.labserver": True}}}
