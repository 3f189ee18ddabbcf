"""Validator-to-validator transport over gRPC: gossip streams, block fetches, status.

Every node keeps one outgoing Gossip stream per configured peer and reconnects with
backoff when it breaks. Outgoing queues are bounded: under overload the oldest
envelopes are dropped, which is safe because consensus messages of the current
height are re-sent periodically and blocks missed entirely are fetched by sync.
"""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator, Awaitable, Callable

import grpc

from node.proto.gonka import consensus_pb2 as pb
from node.proto.gonka import consensus_pb2_grpc as pb_grpc

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 << 20
GRPC_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.keepalive_time_ms", 10_000),
]
QUEUE_LIMIT = 10_000
RECONNECT_MIN_S = 0.1
RECONNECT_MAX_S = 2.0

EnvelopeHandler = Callable[[pb.Envelope], Awaitable[None]]
BlockProvider = Callable[[int], pb.BlockResponse]
StatusProvider = Callable[[], pb.StatusResponse]


class _Servicer(pb_grpc.P2PServicer):
    def __init__(self, on_envelope: EnvelopeHandler, blocks: BlockProvider, status: StatusProvider) -> None:
        self._on_envelope = on_envelope
        self._blocks = blocks
        self._status = status

    async def Gossip(self, request_iterator: AsyncIterator[pb.Envelope], context: grpc.aio.ServicerContext) -> pb.Ack:
        async for envelope in request_iterator:
            await self._on_envelope(envelope)
        return pb.Ack()

    async def GetBlock(self, request: pb.BlockRequest, context: grpc.aio.ServicerContext) -> pb.BlockResponse:
        return self._blocks(request.height)

    async def Status(self, request: pb.StatusRequest, context: grpc.aio.ServicerContext) -> pb.StatusResponse:
        return self._status()


class _PeerLink:
    """One outgoing stream to one peer, with its own bounded queue."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.queue: asyncio.Queue[pb.Envelope] = asyncio.Queue(QUEUE_LIMIT)
        self.channel = grpc.aio.insecure_channel(address, options=GRPC_OPTIONS)
        self.stub = pb_grpc.P2PStub(self.channel)
        self.connected = False
        self.height = 0  # the peer's last committed height, as last seen

    def offer(self, envelope: pb.Envelope) -> None:
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(envelope)

    async def run(self) -> None:
        delay = RECONNECT_MIN_S
        while True:
            try:
                await self.stub.Gossip(self._outgoing())
            except (grpc.aio.AioRpcError, asyncio.InvalidStateError) as error:
                log.debug("gossip stream to %s broke: %s", self.address, error)
            except Exception:  # anything else must not end this link for good: that would cut the peer off
                log.exception("gossip stream to %s failed", self.address)
            self.connected = False
            await asyncio.sleep(delay)  # reconnect backoff, not synchronization
            delay = min(delay * 2, RECONNECT_MAX_S)

    async def _outgoing(self) -> AsyncIterator[pb.Envelope]:
        self.connected = True
        while True:
            yield await self.queue.get()


class P2P:
    def __init__(
        self,
        listen: str,
        peers: list[str],
        on_envelope: EnvelopeHandler,
        blocks: BlockProvider,
        status: StatusProvider,
    ) -> None:
        self.listen = listen
        self.links = [_PeerLink(address) for address in peers]
        self._server = grpc.aio.server(options=GRPC_OPTIONS)
        pb_grpc.add_P2PServicer_to_server(_Servicer(on_envelope, blocks, status), self._server)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self._server.add_insecure_port(self.listen) == 0:
            raise OSError(f"cannot listen for p2p on {self.listen}")
        await self._server.start()
        self._tasks = [asyncio.create_task(link.run()) for link in self.links]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for link in self.links:
            await link.channel.close()
        await self._server.stop(grace=0.5)

    def broadcast(self, envelope: pb.Envelope) -> None:
        for link in self.links:
            link.offer(envelope)

    def connected_count(self) -> int:
        return sum(1 for link in self.links if link.connected)

    async def refresh_heights(self, timeout_s: float = 1.0) -> None:
        async def ask(link: _PeerLink) -> None:
            try:
                status = await link.stub.Status(pb.StatusRequest(), timeout=timeout_s)
                link.height = status.height
            except grpc.aio.AioRpcError:
                pass

        await asyncio.gather(*(ask(link) for link in self.links))

    async def fetch_block(self, height: int, timeout_s: float = 5.0) -> pb.BlockResponse | None:
        """The block at `height` and its commit, from the first peer known to have it."""
        candidates = sorted(self.links, key=lambda link: link.height, reverse=True)
        for link in candidates:
            if link.height < height:
                continue
            try:
                response = await link.stub.GetBlock(pb.BlockRequest(height=height), timeout=timeout_s)
            except grpc.aio.AioRpcError:
                continue
            if response.found:
                return response
        return None
