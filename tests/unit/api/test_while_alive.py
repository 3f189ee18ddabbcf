"""An ML node that stops answering gives a request back (executor.while_alive); one that is only
slow keeps it for as long as it needs. Probes every 10 ms here, against 5 s in the node."""

from __future__ import annotations

import asyncio

import pytest

from node.api.executor import while_alive
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
