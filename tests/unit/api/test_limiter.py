"""The bandwidth limiter: the reference's estimate, the window, Retry-After, release, refusals that change nothing."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from node.api.limiter import BandwidthLimiter, Budget

# 100 KB per block over an 11-block lifespan: 1100 KB may be on the books at once.
BUDGET = Budget(kb_per_block=100.0, lifespan_blocks=11, block_time_s=2.0)
MAX_TOKENS_400_KB = 625  # 625 * 0.64 = 400 KB


def test_estimate_follows_the_reference_coefficients() -> None:
    assert BandwidthLimiter().estimate_kb(1000, 5000) == pytest.approx(1000 * 0.0023 + 5000 * 0.64)


def test_admits_up_to_the_budget_then_refuses_with_retry_after() -> None:
    limiter = BandwidthLimiter()
    limiter.admit(10, 0, MAX_TOKENS_400_KB, BUDGET)
    limiter.admit(12, 0, MAX_TOKENS_400_KB, BUDGET)
    with pytest.raises(HTTPException) as refused:
        limiter.admit(13, 0, MAX_TOKENS_400_KB, BUDGET)  # 1200 > 1100
    assert refused.value.status_code == 429
    # the charge of height 10 ages out at height 21 = 13 + 8 blocks, 16 s at 2 s per block
    assert refused.value.headers == {"Retry-After": "16"}
    assert limiter.on_books_kb(13, 11) == pytest.approx(800)  # the refusal changed nothing
    limiter.admit(21, 0, MAX_TOKENS_400_KB, BUDGET)


def test_release_frees_the_budget_at_once_and_is_idempotent() -> None:
    limiter = BandwidthLimiter()
    first = limiter.admit(10, 0, MAX_TOKENS_400_KB, BUDGET)
    second = limiter.admit(10, 0, MAX_TOKENS_400_KB, BUDGET)
    with pytest.raises(HTTPException):
        limiter.admit(10, 0, MAX_TOKENS_400_KB, BUDGET)
    limiter.release(first)
    limiter.release(first)
    assert limiter.on_books_kb(10, 11) == pytest.approx(400)
    limiter.admit(10, 0, MAX_TOKENS_400_KB, BUDGET)
    limiter.release(second)


def test_a_request_larger_than_the_whole_budget_is_400() -> None:
    limiter = BandwidthLimiter()
    with pytest.raises(HTTPException) as refused:
        limiter.admit(1, 0, 2000, BUDGET)  # 1280 KB > 1100 KB
    assert refused.value.status_code == 400
    assert "lower max_tokens" in refused.value.detail


def test_release_after_the_charge_aged_out_is_harmless() -> None:
    limiter = BandwidthLimiter()
    old = limiter.admit(1, 0, MAX_TOKENS_400_KB, BUDGET)
    limiter.admit(30, 0, MAX_TOKENS_400_KB, BUDGET)  # height 1 is forgotten here
    limiter.release(old)
    assert limiter.on_books_kb(30, 11) == pytest.approx(400)
