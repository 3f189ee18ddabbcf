"""The models this ML node serves, one backend each, one request at a time per model.

`RunnerBackend` has no unload, so every model gets its own backend: unloading drops it. Each
model runs one request at a time (the backend's lock would serialize them anyway); up to
`queue_limit` more wait their turn on the loop, without holding a thread, and the next ones are
refused with `Busy` (RESOURCE_EXHAUSTED) rather than queuing without bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from node.ml.inference.backend import RunnerBackend, RunnerLoader
from node.ml.inference.errors import UnknownModelError
from node.ml.inference.model_spec import ModelInfo, ModelSpec
from node.ml.service.errors import Busy


@dataclass
class _Served:
    backend: RunnerBackend
    info: ModelInfo
    turn: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    pending: int = 0  # running + waiting requests


class ModelPool:
    def __init__(self, loader: RunnerLoader, queue_limit: int) -> None:
        self._loader = loader
        self._queue_limit = queue_limit
        self._served: dict[str, _Served] = {}

    def infos(self) -> list[ModelInfo]:
        return [served.info for served in self._served.values()]

    def __contains__(self, model_id: str) -> bool:
        return model_id in self._served

    def __len__(self) -> int:
        return len(self._served)

    async def load(self, ref: str) -> ModelInfo:
        """Load a seeded id or a local model directory (on a worker thread); loaded ids are no-ops.

        Not re-entrant: the caller serializes loads (MlNode does, with its state-change lock)."""
        spec = ModelSpec.parse(ref)
        if spec.id not in self._served:
            backend = RunnerBackend(self._loader)
            info = await asyncio.to_thread(backend.load, spec)
            self._served[spec.id] = _Served(backend, info)
        return self._served[spec.id].info

    def unload(self, model_id: str) -> None:
        """Forget a model; requests already running on it finish."""
        if self._served.pop(model_id, None) is None:
            raise UnknownModelError(model_id, sorted(self._served))

    def clear(self) -> None:
        self._served.clear()

    @asynccontextmanager
    async def turn(self, model_id: str) -> AsyncIterator[RunnerBackend]:
        """The model's backend, once this request's turn has come."""
        served = self._served.get(model_id)
        if served is None:
            raise UnknownModelError(model_id, sorted(self._served))
        if served.pending > self._queue_limit:
            raise Busy(
                f"model {model_id!r} has {served.pending} requests running or queued (limit: 1 + {self._queue_limit}); "
                "retry later",
                "model",
            )
        served.pending += 1
        try:
            async with served.turn:
                if self._served.get(model_id) is not served:  # unloaded while this request waited
                    raise UnknownModelError(model_id, sorted(self._served))
                yield served.backend
        finally:
            served.pending -= 1
