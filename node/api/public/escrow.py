"""The TA's payment check (402): can the requester pay the escrow of this request too?

cost = (prompt characters + max_tokens) x the model's per-token price, the escrow that
MsgStartInference will lock. The requester's balance must cover it on top of the escrow of
this node's requests that the balance does not show as taken yet (reserved here), so a burst
of requests cannot promise the same coins twice.

Balances are read at most once per block and requester: a read is labelled with the head
height known when it was sent, a lower bound of the state it saw (the chain node answers from
its latest committed block, and the head came from that same node). Why a cached read is as
safe as a fresh one:
- Coins this node promised: a reservation counts against every balance read before the block
  its Start landed in (`settle`), so it is never forgotten by a read that does not show it
  taken. Reads of one requester are used newest first (an older read that comes back late is
  dropped), and settled reservations are pruned only against the read in use, so a pruned
  reservation is shown taken by every read used after it.
- Coins that leave the account otherwise (another TA's Start, a transfer) are unknown to this
  node until their block; a fresh read during that block would not show them either. The
  chain is the last word: a Start it cannot escrow fails there and nothing is spent.
A reservation whose Start was refused is released at once (nothing was taken). One whose Start
still has an unknown fate after inference_txs.py gave up re-sending it may yet land from some
mempool: it stays counted for `UNKNOWN_FATE_BLOCKS` more blocks. Only a Start stuck longer than
that could make this node promise those coins again, and the chain would then refuse a Start for
want of funds (that executor goes unpaid for one request; nothing is spent twice).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import HTTPException

from node.api.chain_link import BroadcastResult
from node.api.events import TxOutcome, tx_outcome

UNKNOWN_FATE_BLOCKS = 32

BalanceReader = Callable[[str], Awaitable[int]]


class Reservation:
    """One admitted request's escrow, counted until the requester's balance shows it taken."""

    def __init__(self, account: _Account, amount: int) -> None:
        self._account = account
        self.amount = amount
        self.settled_at: int | None = None  # the Start's block: balances read from there on show it

    def counts_against(self, read_at: int) -> bool:
        return self.settled_at is None or self.settled_at > read_at

    def release(self) -> None:
        """Nothing was or will be taken for it (no Start, or the chain refused it)."""
        if self in self._account.reservations:
            self._account.reservations.remove(self)

    def settle(self, height: int) -> None:
        """The escrow was taken in block `height` (or at the latest then)."""
        if self.settled_at is None:
            self.settled_at = height

    def start_landed(self, result: BroadcastResult | None, known_height: int) -> None:
        """Settle or release by what became of the Start tx (None: it could not be sent)."""
        outcome = TxOutcome.UNKNOWN if result is None else tx_outcome(result, waited=True)
        if outcome is TxOutcome.COMMITTED:
            self.settle(result.height)  # type: ignore[union-attr]
        elif outcome is TxOutcome.DUPLICATE:
            self.settle(known_height)  # an earlier copy landed, so by now at the latest
        elif outcome is TxOutcome.REFUSED:
            self.release()
        else:
            self.settle(known_height + UNKNOWN_FATE_BLOCKS)


@dataclass
class _Account:
    balance: int = 0
    read_at: int = -1  # the height label of `balance`; -1: not read yet
    reads: int = 0  # balance queries in flight
    reservations: list[Reservation] = field(default_factory=list)

    def pending(self) -> int:
        """Reserved coins that `balance` does not show taken; prunes those it does."""
        self.reservations = [r for r in self.reservations if r.counts_against(self.read_at)]
        return sum(r.amount for r in self.reservations)

    def idle(self, height: int) -> bool:
        return not self.reservations and not self.reads and self.read_at < height


class EscrowBook:
    def __init__(self) -> None:
        self._accounts: dict[str, _Account] = {}
        self._height = -1

    async def reserve(self, requester: str, cost: int, height: int, read_balance: BalanceReader) -> Reservation:
        """Book `cost` for `requester`, whose balance is read (at most once per block) with
        `read_balance`; `height` is the latest block this node knows. HTTPException 402 when short."""
        if height > self._height:
            self._height = height
            self._forget_idle(height)
        account = self._accounts.setdefault(requester, _Account())
        fresh = account.read_at < height
        if fresh:
            await self._read(account, requester, height, read_balance)
        available = account.balance - account.pending()
        if available < cost and not fresh:  # refuse on a read of its own: coins may have come in
            await self._read(account, requester, height, read_balance)
            available = account.balance - account.pending()
        # no await between the last check and the booking: both see the same state
        if available < cost:
            raise HTTPException(
                402,
                f"insufficient balance: this request may cost {cost} ngonka (prompt characters + max_tokens, "
                f"times the per-token price), {requester} has {available} available",
            )
        reservation = Reservation(account, cost)
        account.reservations.append(reservation)
        return reservation

    @staticmethod
    async def _read(account: _Account, requester: str, height: int, read_balance: BalanceReader) -> None:
        account.reads += 1
        try:
            balance = await read_balance(requester)
        finally:
            account.reads -= 1
        # Sent once `height` was known, it shows at least that block. A read labelled below the
        # one in use (a concurrent request's newer one) is dropped: settled reservations may have
        # been pruned against the newer label.
        if height >= account.read_at:
            account.balance, account.read_at = balance, height

    def _forget_idle(self, height: int) -> None:
        """Drop accounts with nothing reserved and no read in flight: their next read is fresh."""
        for requester in [r for r, account in self._accounts.items() if account.idle(height)]:
            del self._accounts[requester]
