"""The TA's escrow book: balances read once per block, yet coins are never promised twice."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import HTTPException

from node.api.chain_link import BroadcastResult
from node.api.public.escrow import UNKNOWN_FATE_BLOCKS, EscrowBook, Reservation
from node.core.errors import TxCode

ALICE = "alice"


class Ledger:
    """Balances as the chain would answer them; counts the reads."""

    def __init__(self, balance: int) -> None:
        self.balance = balance
        self.reads = 0

    async def read(self, requester: str) -> int:
        self.reads += 1
        return self.balance


def _reserve(book: EscrowBook, cost: int, height: int, ledger: Ledger) -> Reservation:
    return asyncio.run(book.reserve(ALICE, cost, height, ledger.read))


def _refused(book: EscrowBook, cost: int, height: int, ledger: Ledger) -> None:
    with pytest.raises(HTTPException) as refusal:
        _reserve(book, cost, height, ledger)
    assert refusal.value.status_code == 402 and "insufficient balance" in refusal.value.detail


def _result(committed: bool, height: int = 0, code: int = 0, check_code: int = 0) -> BroadcastResult:
    return BroadcastResult("H", check_code, "", committed, height, code, "", [])


def test_one_balance_read_per_block_and_no_double_promise() -> None:
    book, ledger = EscrowBook(), Ledger(100)
    _reserve(book, 60, 5, ledger)
    _refused(book, 60, 5, ledger)  # the first 60 are promised already
    _reserve(book, 40, 5, ledger)
    assert ledger.reads == 2  # the first read, and the refusal's own read (coins may have come in)
    _refused(book, 1, 6, ledger)  # a new block: read again, both reservations still count
    assert ledger.reads == 3


def test_a_settled_reservation_counts_until_a_read_shows_it_taken() -> None:
    book, ledger = EscrowBook(), Ledger(100)
    reservation = _reserve(book, 60, 5, ledger)
    reservation.start_landed(_result(committed=True, height=7), known_height=7)
    _refused(book, 60, 6, ledger)  # read at 6: the chain has not taken it in that state
    ledger.balance = 40  # block 7 took the escrow
    _reserve(book, 40, 7, ledger)  # read at 7 shows it taken: not counted twice


def test_a_refused_start_frees_its_coins_at_once() -> None:
    book, ledger = EscrowBook(), Ledger(100)
    refused_at_check = _reserve(book, 100, 5, ledger)
    refused_at_check.start_landed(_result(committed=False, check_code=TxCode.INSUFFICIENT_FUNDS), known_height=5)
    failed_in_block = _reserve(book, 100, 5, ledger)
    _refused(book, 1, 5, ledger)
    failed_in_block.start_landed(_result(committed=True, height=6, code=TxCode.INVALID_REQUEST), known_height=6)
    _reserve(book, 100, 5, ledger)


def test_a_start_of_unknown_fate_stays_counted_for_a_while() -> None:
    book, ledger = EscrowBook(), Ledger(100)
    stuck = _reserve(book, 100, 5, ledger)
    stuck.start_landed(None, known_height=5)  # the chain did not answer
    _refused(book, 1, 5 + UNKNOWN_FATE_BLOCKS - 1, ledger)
    _reserve(book, 100, 5 + UNKNOWN_FATE_BLOCKS, ledger)
    in_mempool = _reserve(book, 0, 40, ledger)
    in_mempool.start_landed(_result(committed=False, check_code=TxCode.TX_IN_MEMPOOL), known_height=40)
    assert in_mempool.settled_at == 40 + UNKNOWN_FATE_BLOCKS


def test_a_late_older_read_is_not_used_after_a_newer_one_pruned_against_it() -> None:
    """Request A reads at block 6, slowly; request B reads at block 8 (the escrow of a Start
    settled at 7 shows taken there, so B prunes it); A's read then shows the coins untaken."""
    book = EscrowBook()
    settled = asyncio.run(book.reserve(ALICE, 60, 5, Ledger(100).read))
    settled.start_landed(_result(committed=True, height=7), known_height=7)

    async def race() -> None:
        release_a = asyncio.Event()

        async def slow_read(requester: str) -> int:
            await release_a.wait()
            return 100  # the state of block 6: the 60 not taken yet

        a = asyncio.create_task(book.reserve(ALICE, 50, 6, slow_read))
        await asyncio.sleep(0)  # A's read is in flight
        await book.reserve(ALICE, 10, 8, Ledger(40).read)  # B: 40 left after block 7, 10 of it booked
        release_a.set()
        with pytest.raises(HTTPException) as refusal:  # A uses B's newer read: 30 available
            await a
        assert refusal.value.status_code == 402 and "30 available" in refusal.value.detail

    asyncio.run(race())


def test_a_refusal_reads_again_so_new_funds_count_within_the_block() -> None:
    book, ledger = EscrowBook(), Ledger(0)
    _refused(book, 10, 5, ledger)
    ledger.balance = 10  # funded; this node has not seen the block yet
    _reserve(book, 10, 5, ledger)


def test_idle_accounts_are_forgotten_at_the_next_block() -> None:
    book, ledger = EscrowBook(), Ledger(100)
    reservation = _reserve(book, 10, 5, ledger)
    reservation.release()
    asyncio.run(book.reserve("bob", 1, 6, ledger.read))
    assert list(book._accounts) == ["bob"]
