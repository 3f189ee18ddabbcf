"""Fault scenarios run real networks and always tear them down.

`net4`: a fresh chain-only network of 4 validators per test. Full networks (chain, ML and api
nodes): see full/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from node.devnet.network import Devnet


@pytest.fixture
def net4(tmp_path: Path) -> Iterator[Devnet]:
    net = Devnet.up(tmp_path / "net", participants=4, only="chain")
    try:
        yield net
    finally:
        net.down()
