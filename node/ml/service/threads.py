"""Drive a blocking iterator (a model's token stream) from asyncio without blocking the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import suppress
from typing import Any, TypeVar

T = TypeVar("T")

_ITEM, _ERROR, _END = "item", "error", "end"


async def iterate_in_thread(make: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
    """Items of `make()`, produced on a worker thread and yielded on the loop.

    An exception from `make()` or the iteration is raised here. When the consumer stops early
    the worker stops after its current item and closes the iterator (releasing what it holds,
    such as a model lock) before this generator finishes.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    abandoned = threading.Event()

    def post(kind: str, value: Any) -> None:
        with suppress(RuntimeError):  # the loop is closed: nobody is listening any more
            loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

    def produce() -> None:
        try:
            iterator = make()
            try:
                for item in iterator:
                    post(_ITEM, item)
                    if abandoned.is_set():
                        break
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()
        except Exception as exc:
            post(_ERROR, exc)
        else:
            post(_END, None)

    worker = loop.run_in_executor(None, produce)
    try:
        while True:
            kind, value = await queue.get()
            if kind == _ITEM:
                yield value
            elif kind == _ERROR:
                raise value
            else:
                return
    finally:
        abandoned.set()
        await asyncio.shield(worker)
