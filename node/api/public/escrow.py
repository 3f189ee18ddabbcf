"""The TA's payment check (402): can the requester pay the escrow of this request too?

cost = (prompt characters + max_tokens) x the model's per-token price, the escrow that
MsgStartInference will lock. The requester's balance must cover it on top of the escrow of
this node's requests whose Start is not committed yet (reserved here until then), so a burst
of requests cannot promise the same coins twice.
"""

from __future__ import annotations

from collections import defaultdict

from fastapi import HTTPException

from node.api.public.chain_view import ChainView


class Reservation:
    def __init__(self, book: EscrowBook, requester: str, amount: int) -> None:
        self._book = book
        self.requester = requester
        self.amount = amount
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._book._unreserve(self.requester, self.amount)


class EscrowBook:
    def __init__(self, chain: ChainView) -> None:
        self._chain = chain
        self._reserved: dict[str, int] = defaultdict(int)

    def reserved(self, requester: str) -> int:
        return self._reserved.get(requester, 0)

    async def reserve(self, requester: str, cost: int) -> Reservation:
        balance = await self._chain.balance(requester)
        available = balance - self.reserved(requester)  # no await between this check and the booking
        if available < cost:
            raise HTTPException(
                402,
                f"insufficient balance: this request may cost {cost} ngonka (prompt characters + max_tokens, "
                f"times the per-token price), {requester} has {available} available",
            )
        self._reserved[requester] += cost
        return Reservation(self, requester, cost)

    def _unreserve(self, requester: str, amount: int) -> None:
        left = self._reserved[requester] - amount
        if left > 0:
            self._reserved[requester] = left
        else:
            del self._reserved[requester]
