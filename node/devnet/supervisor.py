"""Start, watch and stop detached node processes.

A node runs in its own session with stdout/stderr in a log file and its pid in a pid file,
so the command that started it can exit and later commands can find it again. Nothing here
knows what a chain node is: callers pass the argv and a readiness check.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_POLL_S = 0.1


@dataclass(frozen=True)
class ProcessSpec:
    argv: list[str]  # arguments after the Python interpreter
    cwd: Path
    log: Path
    pid_file: Path
    # The process is considered the node's as long as its command line contains this
    # (the config path): a recycled pid of some unrelated program is not mistaken for it.
    marker: str


def wait_for(condition: Callable[[], bool], timeout_s: float, interval_s: float = _POLL_S) -> bool:
    """Poll `condition` until it holds (True) or `timeout_s` passes (False)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)


def launch(spec: ProcessSpec) -> int:
    """Start the process detached and record its pid; returns the pid."""
    spec.log.parent.mkdir(parents=True, exist_ok=True)
    with open(spec.log, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, *spec.argv],
            cwd=spec.cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the starting terminal does not reach the node
            close_fds=True,
        )
    spec.pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _reap(pid: int) -> None:
    # When this very process started the node (tests, the demo), its exit leaves a zombie
    # that still answers kill(pid, 0); collect it. For anyone else's child this is a no-op.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def is_running(pid: int | None, marker: str, cwd: Path | None = None) -> bool:
    """Is `pid` alive and still our node: its command line holds `marker` and, when given, it
    runs in `cwd` (two networks use the same relative config paths)."""
    if pid is None or pid <= 0:
        return False
    _reap(pid)
    proc = Path(f"/proc/{pid}")
    if proc.parent.is_dir():  # Linux: also tell our node from a recycled pid or a zombie
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            same_cwd = cwd is None or Path(os.readlink(proc / "cwd")) == cwd.resolve()
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            return False
        # Right after exec the kernel may show an empty command line for a moment: alive, ours.
        return (not cmdline or marker in cmdline) and state != "Z" and same_cwd
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


Target = tuple[int | None, str, Path | None]  # (pid, marker, cwd) as is_running takes them


def stop_all(targets: list[Target], grace_s: float = 10.0, kill: bool = False) -> list[bool]:
    """Stop each target: SIGTERM to all at once (or SIGKILL with `kill`), then SIGKILL to those
    still alive after `grace_s`. Returns, per target, whether it had been running."""
    was_running = [is_running(*target) for target in targets]
    live = [(pid, marker, cwd) for (pid, marker, cwd), up in zip(targets, was_running) if up and pid is not None]

    def signal_live(sig: signal.Signals) -> None:
        for pid, marker, cwd in live:
            if is_running(pid, marker, cwd):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass

    def all_gone() -> bool:
        return not any(is_running(*target) for target in live)

    signal_live(signal.SIGKILL if kill else signal.SIGTERM)
    if not kill and not wait_for(all_gone, grace_s):
        signal_live(signal.SIGKILL)
    if not wait_for(all_gone, 10.0):
        raise RuntimeError(f"processes survived SIGKILL: {[target[0] for target in live]}")
    return was_running


def stop(pid: int | None, marker: str, cwd: Path | None = None, grace_s: float = 10.0, kill: bool = False) -> bool:
    """stop_all for one process; False if it was not running."""
    return stop_all([(pid, marker, cwd)], grace_s=grace_s, kill=kill)[0]


def tail(path: Path, lines: int) -> list[str]:
    """The last `lines` lines of a text file (empty if it does not exist)."""
    if lines <= 0:
        return []
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            # Read backwards in chunks: logs of a long-running node can be large.
            chunk, data = 8192, b""
            while size > 0 and data.count(b"\n") <= lines:
                step = min(chunk, size)
                size -= step
                f.seek(size)
                data = f.read(step) + data
    except FileNotFoundError:
        return []
    return data.decode(errors="replace").splitlines()[-lines:]


def follow(path: Path, poll_s: float = 0.25) -> Iterator[str]:
    """Lines appended to `path` from now on, as they arrive (like `tail -f`); never ends."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        partial = b""
        while True:
            data = f.read()
            if not data:
                time.sleep(poll_s)
                continue
            partial += data
            *complete, partial = partial.split(b"\n")
            for line in complete:
                yield line.decode(errors="replace")
