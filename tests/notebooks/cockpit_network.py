"""One 3-participant full network shared by the magic tests and the notebook tests.

A module uses it with `from tests.notebooks.cockpit_network import cockpit_network`. Each
importing module gets its own fixture definition, so the network is a process-wide singleton:
the first user starts it, the session's end stops it. The catch-a-cheater notebook turns p3 into
a cheater, so it runs last (tests/notebooks runs after tests/integration)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from gonka_lab.demo import start_network
from node.devnet.network import Devnet

PARTICIPANTS = 3

_shared: Devnet | None = None
_users = 0
_lock = threading.Lock()


@pytest.fixture(scope="session")
def cockpit_network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    global _shared, _users
    with _lock:
        if _shared is None:
            _shared = start_network(tmp_path_factory.mktemp("cockpit") / "net", PARTICIPANTS)
        _users += 1
        shared = _shared
    try:
        yield shared
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                shared.down()
                _shared = None
