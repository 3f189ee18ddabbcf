"""Fixtures: one recorded multi-epoch chain run (real app, real events) shared by the ledger tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from node.chain.client import block_to_dict
from node.proto.gonka import chain_pb2 as pb

from ..app.harness import Node
from .chain_run import block_infos, record


@pytest.fixture(scope="session")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Node:
    """The chain after the run; its queries are the truth the ledger is checked against."""
    return record(tmp_path_factory.mktemp("chain"))


@pytest.fixture(scope="session")
def infos(chain: Node) -> list[pb.BlockInfo]:
    return block_infos(chain)


@pytest.fixture(scope="session")
def blocks(infos: list[pb.BlockInfo]) -> list[dict[str, Any]]:
    """The run's blocks as ChainClient.stream_blocks yields them."""
    return [block_to_dict(info) for info in infos]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.duckdb"
