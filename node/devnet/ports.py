"""Free TCP ports on 127.0.0.1 for a local network's listeners."""

from __future__ import annotations

import socket
from contextlib import ExitStack


def free_ports(count: int) -> list[int]:
    """`count` distinct ports that were free a moment ago.

    All sockets stay bound until every port is chosen, so the kernel cannot hand out one
    port twice; another program may still take one before the node binds it (rare on a
    laptop, and `net up` then fails with the node's log)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports
