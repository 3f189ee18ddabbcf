"""Transactions waiting for a block, in arrival order, each checked by the app first.

Bounded by count and bytes; a duplicate is refused without a second check. After a
block commits, included transactions leave and the rest are re-checked against the
new state (a transfer that became unaffordable leaves too, and with it every later tx of
its account, whose sequences no longer follow). Each tx that leaves that way is told to the
`on_drop` listeners with the check that refused it: whoever waits for it must not wait on.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterable

from node.chain.app.abci import Application, CheckResult
from node.core.errors import TxCode
from node.core.hashing import tx_hash


class Mempool:
    def __init__(self, app: Application, max_txs: int = 5000, max_bytes: int = 64 << 20, max_tx_bytes: int = 1 << 20) -> None:
        self._app = app
        self.max_txs = max_txs
        self.max_bytes = max_bytes
        self.max_tx_bytes = max_tx_bytes
        self._txs: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self.on_drop: list[Callable[[str, CheckResult], None]] = []

    def __len__(self) -> int:
        return len(self._txs)

    def __contains__(self, hash_: str) -> bool:
        return hash_ in self._txs

    def add(self, raw: bytes) -> tuple[str, CheckResult]:
        if len(raw) > self.max_tx_bytes:
            return "", CheckResult(int(TxCode.TX_TOO_LARGE), f"tx of {len(raw)} bytes exceeds {self.max_tx_bytes}")
        hash_ = tx_hash(raw)
        if hash_ in self._txs:
            return hash_, CheckResult(int(TxCode.TX_IN_MEMPOOL), "tx already in mempool")
        if len(self._txs) >= self.max_txs or self._bytes + len(raw) > self.max_bytes:
            return hash_, CheckResult(int(TxCode.MEMPOOL_FULL), "mempool is full")
        result = self._app.check_tx(raw)
        if result.code == 0:
            self._txs[hash_] = raw
            self._bytes += len(raw)
        return hash_, result

    def reap(self, max_bytes: int, max_txs: int) -> list[bytes]:
        taken: list[bytes] = []
        size = 0
        for raw in self._txs.values():
            if len(taken) >= max_txs or size + len(raw) > max_bytes:
                break
            taken.append(raw)
            size += len(raw)
        return taken

    def update(self, committed_hashes: Iterable[str]) -> None:
        for hash_ in committed_hashes:
            raw = self._txs.pop(hash_, None)
            if raw is not None:
                self._bytes -= len(raw)
        remaining = list(self._txs.items())
        self._txs.clear()
        self._bytes = 0
        for hash_, raw in remaining:
            check = self._app.check_tx(raw)
            if check.code == 0:
                self._txs[hash_] = raw
                self._bytes += len(raw)
            else:
                for listener in self.on_drop:
                    listener(hash_, check)
