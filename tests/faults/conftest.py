"""Fault scenarios run real networks; each test gets its own and always tears it down."""

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
