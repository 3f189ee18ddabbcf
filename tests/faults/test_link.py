"""The cuttable link (link.py) against a real echo server on 127.0.0.1: bytes flow, stop moving
during a cut (nothing is refused or reset), and what was written meanwhile arrives after it."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from tests.faults.link import CutLink

WAIT_S = 0.5  # how long a read may block while the link is cut (a bound, not synchronization)


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(data)


@pytest.fixture
def echo() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _connect(address: str) -> socket.socket:
    host, port = address.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def test_a_cut_link_holds_bytes_until_it_is_restored(echo: str) -> None:
    with CutLink(echo) as link, _connect(link.address) as open_before:
        open_before.sendall(b"ping")
        assert open_before.recv(16) == b"ping"

        link.cut()
        open_before.sendall(b"held")
        open_before.settimeout(WAIT_S)
        with pytest.raises(TimeoutError):
            open_before.recv(16)
        with _connect(link.address) as opened_during:  # accepted, but not carried to the peer
            opened_during.sendall(b"late")
            opened_during.settimeout(WAIT_S)
            with pytest.raises(TimeoutError):
                opened_during.recv(16)

            link.restore()
            opened_during.settimeout(10)
            assert opened_during.recv(16) == b"late"
        open_before.settimeout(10)
        assert open_before.recv(16) == b"held"
