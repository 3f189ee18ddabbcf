"""A bounded background load of transfers whose committed acknowledgements are recorded.

Each sender is one thread sending its txs in order to a random chain node with
wait-for-commit. A tx is *acknowledged* when the node answers that it is committed;
an error (the node was killed mid-call) leaves the outcome unknown, and the sender
re-reads its sequence before going on. Stops by itself after `max_txs` per sender or
when `stop()` is called.
"""

from __future__ import annotations

import random
import threading

from node.chain.client import ChainClient, ChainError
from node.core.keys import AccountKey
from node.devnet.network import Devnet

from tests.faults.invariants import chain_urls


class TransferLoad:
    def __init__(self, net: Devnet, senders: int = 3, max_txs: int = 200, seed: int = 7) -> None:
        self.urls = chain_urls(net)
        self.keys = [AccountKey.generate() for _ in range(senders)]
        self.sink = AccountKey.generate().address
        for key in self.keys:
            net.fund(key.address, 10**9, wait=True)
        self.acknowledged: list[str] = []
        self.unknown: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._random = random.Random(seed)
        self._threads = [threading.Thread(target=self._run, args=(key, max_txs), daemon=True) for key in self.keys]

    @property
    def addresses(self) -> list[str]:
        return [key.address for key in self.keys] + [self.sink]

    def start(self) -> TransferLoad:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self, key: AccountKey, max_txs: int) -> None:
        sequence: int | None = None
        for _ in range(max_txs):
            if self._stop.is_set():
                return
            url = self._random.choice(self.urls)
            try:
                with ChainClient(url, timeout_s=15) as client:
                    if sequence is None:
                        sequence = int(client.query("account", address=key.address)["sequence"])
                    raw = client.build_send(key, self.sink, 1, sequence=sequence)
                    result = client.broadcast_tx(raw, wait=True, timeout_s=10)
            except ChainError:
                sequence = None  # outcome unknown: re-read the committed sequence
                continue
            with self._lock:
                if result.get("committed"):
                    self.acknowledged.append(result["hash"])
                    sequence += 1
                else:
                    if result["check_code"] == 0:
                        self.unknown.append(result["hash"])
                    sequence = None
