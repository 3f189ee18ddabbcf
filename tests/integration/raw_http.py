"""HTTP/1.1 over a bare socket, for requests no HTTP client would send (broken framing)."""

from __future__ import annotations

import re
import socket

_CONTENT_LENGTH = re.compile(rb"(?im)^content-length: *(\d+)")


def exchange(url: str, request: bytes, timeout_s: float) -> bytes:
    """Send `request`, half-close, and read the answer until the server closes; a hang raises
    socket.timeout."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout_s) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def first_answer(answer: bytes) -> tuple[int, bytes, bytes]:
    """(status, head, body) of the first answer in `answer` (more may follow it on a kept-alive
    connection); its body ends where its Content-Length says."""
    head, _, rest = answer.partition(b"\r\n\r\n")
    length = _CONTENT_LENGTH.search(head)
    assert length, head
    return int(head.split(maxsplit=2)[1]), head, rest[:int(length.group(1))]
