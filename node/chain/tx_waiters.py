"""Callers waiting for their txs (BroadcastTx with wait_commit): each learns that a block took its
tx, or that the mempool let it go without one, as soon as it happens.

A tx in the mempool is not sure to reach a block: the re-check after every block drops a tx that
fails now, and every later tx of its account with it (their sequences no longer follow). Its
waiter is told at once, with the check that refused it, instead of at its timeout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from node.chain.app.abci import CheckResult

log = logging.getLogger(__name__)

T = TypeVar("T")


class TxDropped(Exception):
    """A waited-for tx left the mempool without a block: the re-check after a block refused it."""

    def __init__(self, check: CheckResult) -> None:
        super().__init__(check.log)
        self.check = check


class TxWaiters:
    def __init__(self) -> None:
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}

    async def wait(self, hash_: str, timeout_s: float, find: Callable[[str], T | None]) -> T | None:
        """`find(hash_)` once a block took the tx (at once if one already had), None after
        `timeout_s`; TxDropped once the mempool let it go."""
        found = find(hash_)
        if found is not None:
            return found
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(hash_, []).append(future)
        try:
            await asyncio.wait_for(future, timeout_s)
        except asyncio.TimeoutError:
            return None
        finally:
            waiters = self._waiters.get(hash_, [])
            if future in waiters:
                waiters.remove(future)
            if not waiters:
                self._waiters.pop(hash_, None)
        return find(hash_)

    def committed(self, hashes: Iterable[str]) -> None:
        for hash_ in hashes:
            for future in self._waiters.get(hash_, []):
                if not future.done():
                    future.set_result(None)

    def dropped(self, hash_: str, check: CheckResult) -> None:
        log.info("tx %s left the mempool without a block (code %d): %s", hash_[:12], check.code, check.log)
        for future in self._waiters.get(hash_, []):
            if not future.done():
                future.set_exception(TxDropped(check))
