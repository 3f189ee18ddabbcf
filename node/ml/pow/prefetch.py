"""Run a producer ahead of its consumer on a worker thread.

Input preparation (hashing, seeding, numpy draws) overlaps with the model's forward pass: torch
releases the GIL inside its kernels, and numpy releases it while it draws.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_DONE = object()


def prefetched(produce: Callable[[T], R], items: Iterable[T], depth: int = 2) -> Iterator[R]:
    """Yield produce(item) in order, keeping up to `depth` items in preparation ahead."""
    if depth < 1:
        raise ValueError(f"depth must be positive, got {depth}")
    source = iter(items)
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pow-inputs") as pool:

        def refill() -> None:
            while len(pending) < depth:
                item = next(source, _DONE)
                if item is _DONE:
                    return
                pending.append(pool.submit(produce, item))  # type: ignore[arg-type]

        try:
            refill()
            while pending:
                result = pending.popleft().result()
                refill()
                yield result
        finally:
            # An abandoned consumer (stop, deadline, error) must not leave queued work behind.
            for future in pending:
                future.cancel()
