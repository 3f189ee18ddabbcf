"""One 3-participant full network shared by the magic tests and the notebook tests of this
package: started by the first test that needs it, stopped after the package's last test. The
catch-a-cheater notebook turns p3 into a cheater, so the magic tests run first (test_magics*.py
sort before test_notebooks.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gonka_lab.demo import start_network
from node.devnet.network import Devnet

PARTICIPANTS = 3


@pytest.fixture(scope="package")
def cockpit_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = start_network(tmp_path_factory.mktemp("cockpit") / "net", PARTICIPANTS)
    try:
        yield net
    finally:
        net.down()
