"""The torchft lighthouse (quorum and failure detection for one training run) as a process.

`python -m node.ml.training.lighthouse --min-replicas N` binds 127.0.0.1 (port 0 = any free
one), prints `lighthouse http://127.0.0.1:PORT` once it listens, and runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
from pathlib import Path

HEARTBEAT_TIMEOUT_MS = 3000  # a worker silent this long leaves the quorum
JOIN_TIMEOUT_MS = 1000  # how long a quorum waits for more replicas beyond min_replicas
READY_PREFIX = "lighthouse "


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--min-replicas", type=int, default=1)
    parser.add_argument("--heartbeat-timeout-ms", type=int, default=HEARTBEAT_TIMEOUT_MS)
    parser.add_argument("--join-timeout-ms", type=int, default=JOIN_TIMEOUT_MS)
    args = parser.parse_args(argv)
    # imported here, not at the top: the api nodes that start lighthouses import this module, and
    # torchft brings torch with it (over a second and some hundred MB they have no use for)
    from torchft.coordination import LighthouseServer

    server = LighthouseServer(
        bind=f"127.0.0.1:{args.port}",
        min_replicas=args.min_replicas,
        join_timeout_ms=args.join_timeout_ms,
        heartbeat_timeout_ms=args.heartbeat_timeout_ms,
    )
    port = server.address().rsplit(":", 1)[1]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"{READY_PREFIX}http://127.0.0.1:{port}", flush=True)
    stop.wait()
    server.shutdown()


def start_lighthouse(min_replicas: int, log: Path, **options: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start a lighthouse process; returns it and its URL once it listens (stderr goes to `log`)."""
    argv = [sys.executable, "-m", "node.ml.training.lighthouse", "--min-replicas", str(min_replicas)]
    for name, value in options.items():
        argv += [f"--{name.replace('_', '-')}", str(value)]
    with log.open("ab") as err:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err)
    assert process.stdout is not None
    line = process.stdout.readline().decode()  # blocks until ready, or EOF if it died
    if not line.startswith(READY_PREFIX):
        process.kill()
        raise RuntimeError(f"the lighthouse did not start (see {log})")
    return process, line[len(READY_PREFIX) :].strip()


if __name__ == "__main__":
    main()
