"""A network link that a test can cut: a TCP relay on 127.0.0.1 between a node and one of its
peers, the "disconnect" perturbation of CometBFT's e2e runner for links that are plain TCP on
loopback (an api node's links to its chain node and its ML node).

`cut()` behaves like a pulled cable, not like a closed port: nothing is refused or reset, bytes
simply stop moving in both directions on every open connection, and a new connection is accepted
but not carried to the peer. `restore()` lets everything flow again: what was written meanwhile
arrives late, as TCP's retransmissions would deliver it. The relay runs its own event loop in a
daemon thread and stops with `close()` (or the `with` block).
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

from node.core.listen import Listen

CHUNK = 65536


class CutLink:
    def __init__(self, target: str) -> None:
        self.target = Listen.parse("target", target)
        self._loop = asyncio.new_event_loop()
        self._flowing: asyncio.Event | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"link->{target}", daemon=True)
        self._thread.start()
        self._ready.wait()
        assert self._server is not None
        self.address = f"127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    # -- the test's side ------------------------------------------------------------------------

    def cut(self) -> None:
        assert self._flowing is not None
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def restore(self) -> None:
        assert self._flowing is not None
        self._loop.call_soon_threadsafe(self._flowing.set)

    def close(self) -> None:
        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> CutLink:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # -- the relay (on its own loop) -----------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = self._loop.run_until_complete(asyncio.start_server(self._carry, "127.0.0.1", 0))
        self._ready.set()
        self._loop.run_forever()

    async def _carry(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        try:
            await self._flowing.wait()  # a connection opened during a cut waits, like a lost SYN
            peer_reader, peer_writer = await asyncio.open_connection(self.target.host, self.target.port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pump(client_reader, peer_writer), self._pump(peer_reader, client_writer),
                             return_exceptions=True)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        try:
            while data := await reader.read(CHUNK):
                await self._flowing.wait()  # held during a cut, delivered after it
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
