"""Fixtures: a genesis and a fresh node driven by the engine stand-in in harness.py."""

from pathlib import Path

import pytest

from node.chain.app.genesis import Genesis

from .harness import Node, make_genesis


@pytest.fixture
def genesis() -> Genesis:
    return make_genesis()


@pytest.fixture
def node(tmp_path: Path, genesis: Genesis) -> Node:
    return Node(tmp_path / "node.db", genesis)
