"""The kernel papermill runs our notebooks in (the demo, the notebook tests): reached over Unix
sockets in a private folder rather than TCP ports on 127.0.0.1, so no other local user can
connect to it, and ipykernel has nothing to warn about."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


def private_folder() -> Path:
    """This user's folder for kernel sockets (created owner-only; refused if anyone else could use it)."""
    folder = Path(tempfile.gettempdir()) / f"gonka-kernels-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{folder} must be a folder only this user can use")
    return folder


class IpcKernelManager(AsyncKernelManager):
    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        return str(private_folder() / "kernel")  # each kernel adds its own id and port numbers
