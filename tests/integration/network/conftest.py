"""The shared full network of tests/integration/network_fixtures.py, started by the first test of
this package that needs it and stopped after the package's last test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.network_fixtures import JOINER, START_TIMEOUT_S, Network, Traffic, start_network, stop_network


@pytest.fixture(scope="package")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    shared = start_network(tmp_path_factory.mktemp("network") / "net")
    try:
        shared.net.join(JOINER, timeout_s=START_TIMEOUT_S)  # late: after genesis, before the 2nd PoC
        yield shared
    finally:
        stop_network(shared)


@pytest.fixture(scope="package")
def traffic(network: Network) -> Iterator[Traffic]:
    flowing = Traffic(network).start()
    yield flowing
    flowing.stop()
