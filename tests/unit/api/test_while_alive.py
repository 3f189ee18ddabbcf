"""An ML node that stops answering gives a request back (executor.while_alive) or ends a stream
(executor.WatchedChunks); one that is only slow keeps it for as long as it needs. Probes every
10 ms here, against 5 s in the node."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from node.api.executor import WatchedChunks, while_alive
from node.ml.client import MlNodeUnavailable

PROBE_S = 0.01


async def _answers_yes() -> bool:
    return True


async def _answers_no() -> bool:
    return False


def test_a_frozen_node_gives_the_request_back_and_the_work_is_cancelled() -> None:
    async def scenario() -> asyncio.Future[None]:
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with pytest.raises(MlNodeUnavailable, match="stopped answering"):
            await while_alive(never, _answers_no, "ml:1", probe_s=PROBE_S, frozen_after=2)
        return never

    assert asyncio.run(scenario()).cancelled()


def _slow_work_under(replies: list[bool]) -> str:
    """while_alive over work that ends once the probes have had `replies` (then a yes) as answers."""

    async def scenario() -> str:
        pending = iter(replies)
        done = asyncio.Event()

        async def answers() -> bool:
            reply = next(pending, None)
            if reply is None:
                done.set()
                return True
            return reply

        async def slow() -> str:
            await done.wait()
            return "answer"

        return await while_alive(slow(), answers, "ml:1", probe_s=PROBE_S, frozen_after=2)

    return asyncio.run(scenario())


def test_a_slow_node_that_answers_keeps_the_request() -> None:
    assert _slow_work_under([True] * 4) == "answer"


def test_one_missed_probe_is_forgiven_when_the_next_is_answered() -> None:
    assert _slow_work_under([False, True, False, True]) == "answer"


def test_the_work_s_own_error_comes_through() -> None:
    async def failing() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        asyncio.run(while_alive(failing(), _answers_yes, "ml:1", probe_s=PROBE_S))


# -- WatchedChunks: the same watch between the chunks of a stream -----------------------------------


class _Source:
    """An ML node's stream: `chunks`, then `error` if any, then silence until closed."""

    def __init__(self, chunks: list[str], error: Exception | None = None, gate: asyncio.Event | None = None) -> None:
        self.chunks, self.error, self.gate = chunks, error, gate
        self.closed = False

    async def stream(self) -> AsyncIterator[str]:
        try:
            for chunk in self.chunks:
                if self.gate is not None:  # each chunk waits for the gate: a slow node
                    await self.gate.wait()
                yield chunk
            if self.error is not None:
                raise self.error
            await asyncio.get_running_loop().create_future()  # frozen: nothing more, ever
        finally:
            self.closed = True


def test_a_node_frozen_mid_stream_ends_it_and_the_stream_is_closed() -> None:
    source = _Source(["a", "b"])

    async def scenario() -> list[str]:
        watched = WatchedChunks(source.stream(), _answers_no, "ml:1", probe_s=PROBE_S, frozen_after=2)
        read: list[str] = []
        with pytest.raises(MlNodeUnavailable, match="stopped answering"):
            async for chunk in watched:
                read.append(chunk)
        await watched.aclose()
        return read

    assert asyncio.run(scenario()) == ["a", "b"]
    assert source.closed


def test_a_slow_stream_whose_node_answers_is_read_whole() -> None:
    async def scenario() -> list[str]:
        gate = asyncio.Event()
        probes = 0

        async def answers() -> bool:  # the node is alive; after a few probes its chunks start to flow
            nonlocal probes
            probes += 1
            if probes == 3:
                gate.set()
            return probes % 2 == 0  # every other probe missed: never two in a row

        source = _Source(["a", "b", "c"], gate=gate)
        watched = WatchedChunks(source.stream(), answers, "ml:1", probe_s=PROBE_S, frozen_after=2)
        read = []
        async for chunk in watched:
            read.append(chunk)
            if len(read) == 3:
                break
        await watched.aclose()
        assert probes >= 3 and source.closed
        return read

    assert asyncio.run(scenario()) == ["a", "b", "c"]


def test_the_node_s_refusal_comes_after_the_chunks_before_it() -> None:
    source = _Source(["a"], error=ValueError("refused mid-stream"))

    async def scenario() -> list[str]:
        watched = WatchedChunks(source.stream(), _answers_yes, "ml:1", probe_s=PROBE_S)
        read: list[str] = []
        with pytest.raises(ValueError, match="refused mid-stream"):
            async for chunk in watched:
                read.append(chunk)
        with pytest.raises(StopAsyncIteration):  # ended: no more chunks, no more waiting
            await anext(watched)
        await watched.aclose()
        return read

    assert asyncio.run(scenario()) == ["a"]


def test_closing_before_reading_closes_the_node_s_stream() -> None:
    source = _Source(["a"])

    async def scenario() -> None:
        stream = source.stream()
        assert await anext(stream) == "a"  # the executor reads the first chunk itself
        watched = WatchedChunks(stream, _answers_yes, "ml:1", probe_s=PROBE_S)
        await watched.aclose()

    asyncio.run(scenario())
    assert source.closed
