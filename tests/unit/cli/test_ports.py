"""Free port picking."""

from __future__ import annotations

import socket

import pytest

from node.devnet.ports import free_ports


def test_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(12)
    assert len(set(ports)) == 12
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", port))


def test_zero_and_negative() -> None:
    assert free_ports(0) == []
    with pytest.raises(ValueError):
        free_ports(-1)
