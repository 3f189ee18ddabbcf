"""The transfer agent's bandwidth limiter (reference protocol.md §9, bandwidth_limiter.go).

Each accepted request is charged an estimate of the bytes it will move:

    KB = prompt_tokens * 0.0023 + max_tokens * 0.64

and the charge stays on the books from the block it was admitted at until the request ends
(released) or, at the latest, for `lifespan` blocks (expiration_blocks + 1: by then the chain
has expired the inference anyway). A request is admitted while

    (KB of the requests on the books + its own KB) / lifespan <= this node's budget per block

where the budget is the network's `estimated_limits_per_block_kb` divided by the number of
participants. A refusal answers 429 with Retry-After: the time until enough charges age out
(requests that end earlier free their share sooner). A request that alone exceeds the whole
budget can never be admitted and gets 400. Refusals change nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from fastapi import HTTPException

KB_PER_INPUT_TOKEN = 0.0023
KB_PER_OUTPUT_TOKEN = 0.64


@dataclass(frozen=True)
class Budget:
    kb_per_block: float  # this node's share of the network's limit
    lifespan_blocks: int  # expiration_blocks + 1
    block_time_s: float  # turns a wait in blocks into Retry-After seconds


@dataclass
class Admission:
    """One request's charge; `release` it when the request ends."""

    height: int
    kb: float
    released: bool = False


class BandwidthLimiter:
    def __init__(
        self, kb_per_input_token: float = KB_PER_INPUT_TOKEN, kb_per_output_token: float = KB_PER_OUTPUT_TOKEN
    ) -> None:
        self.kb_per_input_token = kb_per_input_token
        self.kb_per_output_token = kb_per_output_token
        self._usage: dict[int, float] = defaultdict(float)  # admission height -> KB still on the books

    def estimate_kb(self, prompt_tokens: int, max_tokens: int) -> float:
        return prompt_tokens * self.kb_per_input_token + max_tokens * self.kb_per_output_token

    def on_books_kb(self, height: int, lifespan_blocks: int) -> float:
        return sum(kb for h, kb in self._usage.items() if h > height - lifespan_blocks)

    def admit(self, height: int, prompt_tokens: int, max_tokens: int, budget: Budget) -> Admission:
        """Charge a request at `height`, or raise HTTPException 429 (retry later) / 400 (never fits)."""
        kb = self.estimate_kb(prompt_tokens, max_tokens)
        capacity = budget.kb_per_block * budget.lifespan_blocks
        self._forget_before(height - budget.lifespan_blocks + 1)
        if kb > capacity:
            raise HTTPException(
                400,
                f"the request's estimated {kb:.0f} KB exceed this node's whole bandwidth budget "
                f"({capacity:.0f} KB per {budget.lifespan_blocks} blocks); lower max_tokens",
            )
        if self.on_books_kb(height, budget.lifespan_blocks) + kb > capacity:
            blocks = self._blocks_until_room(height, kb, capacity, budget.lifespan_blocks)
            retry_s = max(1, math.ceil(blocks * budget.block_time_s))
            raise HTTPException(
                429,
                f"bandwidth limit reached ({budget.kb_per_block:.0f} KB per block for this node); retry in {retry_s} s",
                headers={"Retry-After": str(retry_s)},
            )
        self._usage[height] += kb
        return Admission(height, kb)

    def release(self, admission: Admission) -> None:
        """Take a finished request off the books (idempotent; a no-op once its charge aged out)."""
        if admission.released:
            return
        admission.released = True
        if admission.height in self._usage:
            left = self._usage[admission.height] - admission.kb
            if left <= 1e-9:
                del self._usage[admission.height]
            else:
                self._usage[admission.height] = left

    def _forget_before(self, height: int) -> None:
        for h in [h for h in self._usage if h < height]:
            del self._usage[h]

    def _blocks_until_room(self, height: int, kb: float, capacity: float, lifespan: int) -> int:
        """The first k >= 1 such that, k blocks from now, the charges still on the books leave room."""
        for k in range(1, lifespan + 1):
            if self.on_books_kb(height + k, lifespan) + kb <= capacity:
                return k
        return lifespan
