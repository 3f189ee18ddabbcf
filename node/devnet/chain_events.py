"""Every event a chain commits, collected in the background: what the demo reports and what the
network tests assert on (inferences finished and validated, votes, slashes, settlements, claims).

    with ChainEventLog(net.node("p1-chain").url) as log:
        ...
        log.wait_for(lambda: log.find("slashed", address=cheater), timeout_s=60, what="the slash")

Block-level events (epoch stages, settlement, weights) and the events of successful txs are
kept in commit order with their height. A broken stream (the node restarting) is re-opened
at the first height not yet seen, so no block is skipped or seen twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from node.chain.client import ChainClient, ChainError

_RECONNECT_S = 0.5


@dataclass(frozen=True)
class ChainEvent:
    height: int
    type: str
    attributes: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.attributes[key]


def block_events(block: dict[str, Any]) -> list[ChainEvent]:
    """A streamed block's events: those of its successful txs, then its own (end-block) events."""
    raw = [e for result in block["tx_results"] if result["code"] == 0 for e in result["events"]] + block["events"]
    return [
        ChainEvent(block["height"], e["type"], {a["key"]: a["value"] for a in e["attributes"]}) for e in raw
    ]


class ChainEventLog:
    def __init__(self, url: str, from_height: int = 1) -> None:
        self.url = url
        self.height = from_height - 1  # the last block seen
        self._events: list[ChainEvent] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._client: ChainClient | None = None
        self._thread = threading.Thread(target=self._follow, name="chain-events", daemon=True)

    def start(self) -> ChainEventLog:
        self._thread.start()
        return self

    def __enter__(self) -> ChainEventLog:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._client is not None:
            self._client.close()  # ends the blocking stream
        self._thread.join(timeout=10)

    def _follow(self) -> None:
        while not self._stop.is_set():
            try:
                with ChainClient(self.url) as client:
                    self._client = client
                    for block in client.stream_blocks(self.height + 1):
                        with self._lock:
                            self._events += block_events(block)
                            self.height = block["height"]
            except (ChainError, ValueError):
                pass
            self._stop.wait(_RECONNECT_S)  # the node is restarting: ask again shortly

    def find(self, event_type: str, **attributes: Any) -> list[ChainEvent]:
        """Events of `event_type` whose attributes equal the given ones (compared as strings)."""
        wanted = {key: str(value) for key, value in attributes.items()}
        with self._lock:
            return [e for e in self._events
                    if e.type == event_type and all(e.attributes.get(k) == v for k, v in wanted.items())]

    def wait_height(self, height: int, timeout_s: float) -> None:
        self.wait_for(lambda: self.height >= height, timeout_s, f"block {height}")

    def wait_for(self, condition: Callable[[], Any], timeout_s: float, what: str) -> Any:
        """Poll `condition` until it returns something truthy (returned); TimeoutError naming `what`."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{what} did not happen within {timeout_s:.0f} s (chain at block {self.height})")
            time.sleep(0.2)
