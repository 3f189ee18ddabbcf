"""Tunables of the public HTTP API; node/api/server.py fills them from the api node's config."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from node.api.limiter import KB_PER_INPUT_TOKEN, KB_PER_OUTPUT_TOKEN

MAINNET_LIMIT_KB_PER_BLOCK = 10752.0  # reference `estimated_limits_per_block_kb` (tests use 43008)


@dataclass(frozen=True)
class PublicSettings:
    max_body_bytes: int = 1 << 20  # larger chat bodies get 413
    limit_kb_per_block: float = MAINNET_LIMIT_KB_PER_BLOCK  # the network's; each node gets 1/participants
    kb_per_input_token: float = KB_PER_INPUT_TOKEN
    kb_per_output_token: float = KB_PER_OUTPUT_TOKEN
    executor_attempts: int = 3  # executors tried per request when one cannot be reached or is busy
    executor_timeout_s: float = 600.0  # a forwarded request's longest silence
    # Executor choice and TA seeds; non-deterministic by default, as in the reference. Tests seed it.
    rng: random.Random = field(default_factory=random.SystemRandom)
