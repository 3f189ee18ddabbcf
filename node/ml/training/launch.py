"""Starting worker processes: what the ML node's training service, the tests and the bench share."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from node.ml.training.worker import WorkerConfig


def launch_worker(config: WorkerConfig, folder: Path) -> subprocess.Popen[bytes]:
    """Write the config into `folder` and start the worker; its output goes to folder/worker.log."""
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "worker.json"
    config_path.write_text(json.dumps(asdict(config)))
    with (folder / "worker.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "node.ml.training.worker", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C in the parent's terminal is the parent's to handle
        )
