"""Signs and broadcasts the api node's own txs in sequence order, and retries what did not land.

Every tx of one account needs the next sequence number. Txs are numbered locally (so
several can wait in one block) under a lock; a WRONG_SEQUENCE answer — a restart, or a
tx that was dropped — re-reads the committed sequence and signs again. A message is
only reported lost after MAX_ATTEMPTS tries, never silently.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Sequence

from google.protobuf.message import Message

from node.api.chain_link import BroadcastResult, ChainLink
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.core.tx import build_tx

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class TxSender:
    def __init__(self, chain: ChainLink, key: AccountKey, chain_id: str) -> None:
        self.chain = chain
        self.key = key
        self.chain_id = chain_id
        self._lock = asyncio.Lock()
        self._account_number: int | None = None
        self._next_sequence: int | None = None

    async def _sync_account(self) -> None:
        account = await self.chain.query("account", address=self.key.address)
        self._account_number = int(account["account_number"])
        self._next_sequence = int(account["sequence"])

    async def send(self, messages: Sequence[Message], wait: bool = False, memo: str = "") -> BroadcastResult:
        """Broadcast one tx carrying `messages`; with `wait`, return once it is in a block."""
        result: BroadcastResult | None = None
        for _ in range(MAX_ATTEMPTS):
            async with self._lock:
                if self._next_sequence is None or self._account_number is None:
                    await self._sync_account()
                assert self._next_sequence is not None and self._account_number is not None
                raw = build_tx(self.key, self.chain_id, self._account_number, self._next_sequence, list(messages), memo)
                result = await self.chain.broadcast(raw, wait=False)
                if result.check_code == TxCode.WRONG_SEQUENCE:
                    self._next_sequence = None  # re-read the committed sequence and sign again
                    continue
                if result.check_code == 0:
                    self._next_sequence += 1
            if result.check_code != 0 or not wait:
                return result
            # outside the lock: other txs keep flowing while this one waits for its block
            final = await self.chain.broadcast(raw, wait=True)
            # the re-broadcast's check answer speaks of the pooled (or committed) copy: the first check passed
            return dataclasses.replace(final, check_code=0, check_log="") if final.committed else final
        assert result is not None
        log.error("tx from %s refused after %d attempts: %s", self.key.address, MAX_ATTEMPTS, result.check_log)
        return result
