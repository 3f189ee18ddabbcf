"""Blocks from a chain node, in height order, with nothing skipped.

A reader thread follows `StreamBlocks` and hands blocks over through a bounded queue, so the
writer can take every block that is already waiting in one go (one transaction for a
backlog, one per block at the chain's tip). The stream skips a height it cannot load; such
a gap is filled with `GetBlock` before the blocks after it are handed over.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

from node.chain.client import ChainClient

_QUEUE_BLOCKS = 2048
_PUT_POLL_S = 0.1
_JOIN_S = 5.0


class _End:
    """Queued last by the reader: the stream ended, or failed with `error`."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class BlockFeed:
    def __init__(self, client: ChainClient, first_height: int) -> None:
        self._client = client
        self._next = first_height
        self._queue: queue.Queue[dict[str, Any] | _End] = queue.Queue(_QUEUE_BLOCKS)
        self._closed = threading.Event()
        self._ended: _End | None = None
        self._thread = threading.Thread(target=self._read, name="ledger-feed", daemon=True)
        self._thread.start()

    def _put(self, item: dict[str, Any] | _End) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=_PUT_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        error: BaseException | None = None
        try:
            for block in self._client.stream_blocks(self._next):
                if block["height"] < self._next:
                    continue
                for missing in range(self._next, block["height"]):
                    if not self._put(self._client.block(missing)):
                        return
                if not self._put(block):
                    return
                self._next = block["height"] + 1
        except BaseException as err:  # handed to the writer's thread, which raises it
            error = err
        if not self._closed.is_set():
            self._put(_End(error))

    def take(self, max_blocks: int, timeout_s: float) -> list[dict[str, Any]]:
        """The blocks waiting now (at most `max_blocks`); waits up to `timeout_s` for the first.
        Raises what ended the stream once every block before the end was taken."""
        if self._ended is not None:
            return self._finish()
        try:
            first = self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return []
        taken: list[dict[str, Any]] = []
        item: dict[str, Any] | _End = first
        while True:
            if isinstance(item, _End):
                self._ended = item
                return taken or self._finish()
            taken.append(item)
            if len(taken) >= max_blocks:
                return taken
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return taken

    def pending(self) -> bool:
        return not self._queue.empty()

    def _finish(self) -> list[dict[str, Any]]:
        assert self._ended is not None
        if self._ended.error is not None:
            raise self._ended.error
        raise ConnectionError(f"chain node {self._client.url} ended its block stream")

    def close(self) -> None:
        """Stop reading: closing the client cancels the stream the reader thread waits on."""
        self._closed.set()
        self._client.close()
        self._thread.join(_JOIN_S)
