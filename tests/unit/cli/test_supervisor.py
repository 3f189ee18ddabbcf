"""Detached process supervision with real (tiny) processes."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.devnet import supervisor
from node.devnet.supervisor import ProcessSpec

SLEEPER = "import signal, sys, time; {setup}print('ready', flush=True); time.sleep(60)"


@pytest.fixture
def launched() -> Iterator[list[int]]:
    pids: list[int] = []
    yield pids
    for pid in pids:  # never leave a test process behind
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _start(tmp_path: Path, launched: list[int], setup: str = "", name: str = "n") -> tuple[int, ProcessSpec]:
    marker = str(tmp_path / f"{name}.toml")
    spec = ProcessSpec(
        argv=["-c", SLEEPER.format(setup=setup), marker],
        cwd=tmp_path,
        log=tmp_path / name / "out.log",
        pid_file=tmp_path / f"{name}.pid",
        marker=marker,
    )
    pid = supervisor.launch(spec)
    launched.append(pid)
    assert supervisor.wait_for(lambda: "ready" in spec.log.read_text(), 20)
    return pid, spec


def test_launch_detached_and_stop(tmp_path: Path, launched: list[int]) -> None:
    pid, spec = _start(tmp_path, launched)
    assert supervisor.read_pid(spec.pid_file) == pid
    assert os.getsid(pid) == pid  # own session: Ctrl-C in the caller's terminal does not reach it
    assert supervisor.is_running(pid, spec.marker)
    assert not supervisor.is_running(pid, "some-other-config.toml")  # a recycled pid is not ours
    assert supervisor.is_running(pid, spec.marker, tmp_path)
    assert not supervisor.is_running(pid, spec.marker, tmp_path / "n")  # nor another network's node
    assert supervisor.stop(pid, spec.marker, grace_s=5)
    assert not supervisor.is_running(pid, spec.marker)
    assert not supervisor.stop(pid, spec.marker)  # already stopped


def test_sigterm_ignored_escalates_to_sigkill(tmp_path: Path, launched: list[int]) -> None:
    pid, spec = _start(tmp_path, launched, setup="signal.signal(signal.SIGTERM, signal.SIG_IGN); ")
    assert supervisor.stop(pid, spec.marker, grace_s=0.5)
    assert not supervisor.is_running(pid, spec.marker)


def test_stop_all_and_kill(tmp_path: Path, launched: list[int]) -> None:
    a, spec_a = _start(tmp_path, launched, name="a")
    b, spec_b = _start(tmp_path, launched, name="b")
    targets = [(a, spec_a.marker, tmp_path), (None, "x", None), (b, spec_b.marker, None)]
    assert supervisor.stop_all(targets, kill=True) == [True, False, True]
    assert not supervisor.is_running(a, spec_a.marker)
    assert not supervisor.is_running(b, spec_b.marker)


def test_read_pid_and_dead_pids(tmp_path: Path) -> None:
    assert supervisor.read_pid(tmp_path / "missing.pid") is None
    (tmp_path / "bad.pid").write_text("nope")
    assert supervisor.read_pid(tmp_path / "bad.pid") is None
    assert not supervisor.is_running(None, "m")
    assert not supervisor.is_running(0, "m")


def test_tail(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    assert supervisor.tail(log, 5) == []
    log.write_text("".join(f"line {i}\n" for i in range(20000)))
    assert supervisor.tail(log, 3) == ["line 19997", "line 19998", "line 19999"]
    assert supervisor.tail(log, 0) == []
    assert len(supervisor.tail(log, 5000)) == 5000


def test_wait_for_times_out() -> None:
    calls = []
    assert not supervisor.wait_for(lambda: calls.append(1) is not None, 0.2, interval_s=0.05)
    assert len(calls) >= 2
