"""Call a refresh function every few seconds on a daemon thread until stopped or a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Refresher:
    def __init__(self, refresh: Callable[[], bool | None], every_s: float, for_s: float) -> None:
        """`refresh` returns True when there is nothing left to watch."""
        self._refresh = refresh
        self._every_s = every_s
        self._deadline = time.monotonic() + for_s
        self._stop = threading.Event()
        self.error: str | None = None  # why it stopped early (a refresh failed)
        self._thread = threading.Thread(target=self._run, daemon=True, name="gonka-refresh")

    def start(self) -> Refresher:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._every_s) and time.monotonic() < self._deadline:
            try:
                if self._refresh():
                    return
            except Exception as error:  # a background view must never kill the kernel's thread pool
                self.error = f"{type(error).__name__}: {error}"
                return

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout_s: float) -> bool:
        """Wait until it stops; True if it did within `timeout_s`."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()
