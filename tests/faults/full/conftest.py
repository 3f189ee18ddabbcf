"""`full`: one full network (chain, ML and api node per participant; 5 honest hosts) shared by
every test of this package — starting one costs most of a minute — and stopped after the
package's last test, so that it does not slow down the chain-only scenarios. A test that stops
or pauses one of its nodes brings it back before it ends (`assert_all_running`).

Five hosts: one faulty host among them holds a fifth of the weight, well below the half at which
its silence during PoC validation could cost the others their weight.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.full import HOSTS
from tests.integration.network_fixtures import Network, start_network, stop_network


@pytest.fixture(scope="package")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    network = start_network(tmp_path_factory.mktemp("full") / "net", participants=len(HOSTS), adversaries={})
    try:
        yield network
    finally:
        stop_network(network)
