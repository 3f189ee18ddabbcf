"""A real JupyterLab server process for the UI tests, isolated from the user's Jupyter and gonka
settings, and the Debian chromium that Playwright drives (Playwright downloads no browser here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from node.devnet.ports import free_ports

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_TIMEOUT_S = 90.0
# Faster than the default 2 s so the tests see changes sooner; no news fetch (no network here).
LAB_SETTINGS = {
    "gonka-lab/plugin.jupyterlab-settings": {"refreshInterval": 1, "autoConnect": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
}


def chromium_executable() -> str:
    """$CHROMIUM_PATH, else Debian's chromium on PATH; a clear failure when neither exists."""
    explicit = os.environ.get("CHROMIUM_PATH")
    found = explicit or next(filter(None, (shutil.which(name) for name in CHROMIUM_CANDIDATES)), None)
    if not found:
        raise RuntimeError("no chromium: `apt-get install chromium` (`make test` does it as root) or set CHROMIUM_PATH")
    return found


@dataclass
class LabServer:
    process: subprocess.Popen[bytes]
    port: int
    token: str
    root: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lab?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (Jupyter shuts its kernels down), SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _write_settings(settings_dir: Path) -> None:
    for relative, values in LAB_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _answers(port: int, token: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_lab(workdir: Path, env: dict[str, str]) -> LabServer:
    """Start `jupyter lab` on 127.0.0.1 in `workdir` with `env` added; return once it answers."""
    root, settings, log = workdir / "root", workdir / "settings", workdir / "jupyterlab.log"
    root.mkdir(parents=True)
    _write_settings(settings)
    port, token = free_ports(1)[0], os.urandom(12).hex()
    argv = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
    ]
    full_env = os.environ | env | {
        "JUPYTER_CONFIG_DIR": str(workdir / "config"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
    }
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    lab = LabServer(process, port, token, root, log)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not _answers(port, token):
        if process.poll() is not None or time.monotonic() > deadline:
            lab.stop()
            raise RuntimeError(f"jupyter lab did not come up (exit {process.poll()}); log:\n{lab.log_tail()}")
        time.sleep(0.2)
    return lab
