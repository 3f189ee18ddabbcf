"""The papermill kernel's sockets: Unix sockets in a folder only this user can use."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from gonka_lab.notebook_kernel import IpcKernelManager, private_folder


def test_kernels_listen_on_unix_sockets_in_a_private_folder() -> None:
    manager = IpcKernelManager(kernel_name="python3")
    assert manager.transport == "ipc"
    folder = Path(manager.ip).parent
    assert folder == private_folder()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.stat().st_uid == os.getuid()


def test_a_folder_others_can_use_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    (tmp_path / f"gonka-kernels-{os.getuid()}").mkdir(mode=0o777)
    os.chmod(tmp_path / f"gonka-kernels-{os.getuid()}", 0o777)
    with pytest.raises(PermissionError, match="only this user"):
        private_folder()
