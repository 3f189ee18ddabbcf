"""The worker's progress log: one JSON object per line, appended and flushed as it happens.

The ML node tails it to report status and to hand heartbeats and commitments to its api node,
which turns them into MsgTrainingHeartbeat and MsgCommitTrainingStep transactions. Kinds:
started, heartbeat {outer_step, inner_step}, commit {commitment}, healed {outer_step, now},
retry {outer_step}, done {final_params_hash, eval_loss}, error {message}.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any


class EventLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, kind: str, **fields: Any) -> None:
        line = json.dumps({"event": kind, "time_ms": int(time.time() * 1000), **fields})
        with self.path.open("a") as out:
            out.write(line + "\n")


def read_events(path: Path, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Complete lines from byte `offset` on, and the offset after the last complete line."""
    try:
        with path.open("rb") as source:
            source.seek(offset)
            data = source.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1  # a line still being written waits for the next read
    return [json.loads(line) for line in data[:end].splitlines() if line], offset + end
