"""Signs and broadcasts the api node's own txs in sequence order, and retries what did not land.

Every tx of one account needs the next sequence number. Txs are numbered locally (so
several can wait in one block) under a lock. A WRONG_SEQUENCE answer names the sequence
the chain node expects — its mempool's view: the committed sequence plus this account's
txs waiting there — and the tx is signed again with it. (Re-reading the committed sequence
instead would collide with those waiting txs on every try until their block came.)

A tx that was admitted is not sure to stay in the mempool: after every block the chain
node checks what waits there again, and a tx of this account that fails now (a
revalidation whose vote another host's tx just closed, a registration someone else made
first) leaves the mempool together with every later tx of the account, whose sequences
no longer follow. A waiter that learnt this only when its 15 s wait ran out (longer than an
inference's whole expiration window on the devnet) let a Start or Finish queued behind
such a tx expire. The chain node answers the wait at once with the re-check's refusal;
and since that answer can be lost (a restarted chain node forgets its waiters), the wait
also re-sends the same bytes every POLL_S: a tx still waiting is answered "in mempool", a
dropped one is checked again. Either way a tx refused for its sequence is signed again
with the next one, one refused for itself returns that refusal. A message is only
reported lost after MAX_ATTEMPTS signings, never silently.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from typing import Sequence

from google.protobuf.message import Message

from node.api.chain_link import BroadcastResult, ChainLink
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.core.tx import build_tx

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
WAIT_S = 15.0  # how long one signed tx is waited for, in all
POLL_S = 1.0  # how often a tx waited for is re-sent, to notice that the mempool dropped it
MIN_POLL_S = 0.05  # a zero wait would ask the chain node for its default one
_EXPECTED = re.compile(r"expected (\d+)")


def expected_sequence(check_log: str) -> int | None:
    """The sequence a WRONG_SEQUENCE answer says the chain node expects; None if it does not say."""
    found = _EXPECTED.search(check_log)
    return int(found.group(1)) if found else None


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

    async def _admit(self, messages: Sequence[Message], memo: str) -> tuple[bytes, BroadcastResult]:
        """Sign with the next sequence and check the tx into the chain node's mempool."""
        async with self._lock:
            if self._next_sequence is None or self._account_number is None:
                await self._sync_account()
            assert self._next_sequence is not None and self._account_number is not None
            raw = build_tx(self.key, self.chain_id, self._account_number, self._next_sequence, list(messages), memo)
            result = await self.chain.broadcast(raw, wait=False)
            if result.check_code == TxCode.WRONG_SEQUENCE:
                # under the lock no other tx of ours was signed since this answer (a re-admitted one
                # may still move the count: the next try reads it again)
                self._next_sequence = expected_sequence(result.check_log)  # None: re-read the account
            elif result.check_code == 0:
                self._next_sequence += 1
            return raw, result

    async def send(self, messages: Sequence[Message], wait: bool = False, memo: str = "") -> BroadcastResult:
        """Broadcast one tx carrying `messages`; with `wait`, return once it is in a block."""
        result: BroadcastResult | None = None
        for _ in range(MAX_ATTEMPTS):
            raw, result = await self._admit(messages, memo)
            if result.check_code == TxCode.WRONG_SEQUENCE:
                continue
            if result.check_code != 0 or not wait:
                return result
            # outside the lock: other txs keep flowing while this one waits for its block
            result = await self._wait(raw)
            if not result.committed and result.check_code == TxCode.WRONG_SEQUENCE:
                continue  # the mempool dropped it and its sequence is gone: sign it again
            return result
        assert result is not None
        log.error("tx from %s refused after %d attempts: %s", self.key.address, MAX_ATTEMPTS, result.check_log)
        return result

    async def _wait(self, raw: bytes) -> BroadcastResult:
        """The tx's block; else, once it left the mempool, why it cannot come back (WRONG_SEQUENCE:
        only its sequence; anything else: the tx itself); else the last answer after WAIT_S."""
        deadline = time.monotonic() + WAIT_S
        while True:
            slice_s = max(MIN_POLL_S, min(POLL_S, deadline - time.monotonic()))
            final = await self.chain.broadcast(raw, wait=True, timeout_s=slice_s)
            if final.committed:
                # the re-broadcast's check answer speaks of the pooled (or committed) copy: the first check passed
                return dataclasses.replace(final, check_code=0, check_log="")
            if final.check_code == TxCode.WRONG_SEQUENCE:
                log.warning("tx %s of %s did not reach a block (%s); signing it again",
                            final.hash[:12], self.key.address, final.check_log)
                return final
            if final.check_code not in (0, TxCode.TX_IN_MEMPOOL):
                log.warning("tx %s of %s did not reach a block and is refused now (%s)",
                            final.hash[:12], self.key.address, final.check_log)
                return final
            if time.monotonic() >= deadline:
                return final
