"""Perturbations of single node processes, modelled on CometBFT's e2e runner: pause (SIGSTOP,
then SIGCONT), kill (SIGKILL, then start), restart (SIGTERM, then start). Devnet already
controls every process of a network by name ("p2-chain", "p2-api", "p2-ml")."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from node.devnet.network import Devnet


@contextmanager
def paused(net: Devnet, name: str) -> Iterator[None]:
    pid = net.pid(net.node(name))
    assert pid is not None and net.is_running(net.node(name)), f"{name} is not running"
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@contextmanager
def down(net: Devnet, name: str, kill: bool) -> Iterator[None]:
    """The node stopped (SIGKILL with `kill`, else SIGTERM) for the body, then started again."""
    assert net.stop(name, kill=kill), f"{name} was not running"
    try:
        yield
    finally:
        net.start(name)  # waits until it answers again


def kill_restart(net: Devnet, name: str) -> None:
    with down(net, name, kill=True):
        pass


def term_restart(net: Devnet, name: str) -> None:
    with down(net, name, kill=False):
        pass


def assert_all_running(net: Devnet) -> None:
    stopped = [node.name for node in net.manifest.nodes if not net.is_running(node)]
    assert not stopped, f"nodes left stopped: {stopped}"
