"""A gRPC Chain service on 127.0.0.1 that serves a recorded run's blocks as a chain node would:
`Status`, `GetBlock` and a `StreamBlocks` that waits for blocks not published yet."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures

import grpc

from node.proto.gonka import chain_pb2 as pb
from node.proto.gonka import chain_pb2_grpc as pb_grpc

_WAIT_S = 0.05


class RecordedChain(pb_grpc.ChainServicer):
    def __init__(self, infos: list[pb.BlockInfo], published: int, chain_id: str = "test-chain",
                 stream_skips: frozenset[int] = frozenset()) -> None:
        self.infos = infos
        self.chain_id = chain_id
        self.stream_skips = stream_skips  # heights the stream leaves out, as the real one does for a missing block
        self._published = published
        self._changed = threading.Condition()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        pb_grpc.add_ChainServicer_to_server(self, self._server)
        self.url = f"127.0.0.1:{self._server.add_insecure_port('127.0.0.1:0')}"

    def __enter__(self) -> RecordedChain:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.stop(grace=None)

    def publish(self, height: int) -> None:
        with self._changed:
            self._published = min(height, len(self.infos))
            self._changed.notify_all()

    def Status(self, request: pb.StatusRequest, context: grpc.ServicerContext) -> pb.NodeStatus:
        return pb.NodeStatus(chain_id=self.chain_id, height=self._published)

    def GetBlock(self, request: pb.GetBlockRequest, context: grpc.ServicerContext) -> pb.BlockInfo:
        height = request.height or self._published
        if not 0 < height <= self._published:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no block at height {height}")
        return self.infos[height - 1]

    def StreamBlocks(self, request: pb.StreamBlocksRequest, context: grpc.ServicerContext) -> Iterator[pb.BlockInfo]:
        height = request.from_height or self._published + 1
        while context.is_active():
            with self._changed:
                self._changed.wait_for(lambda wanted=height: self._published >= wanted, timeout=_WAIT_S)
                ready = self._published >= height
            if ready:
                if height not in self.stream_skips:
                    yield self.infos[height - 1]
                height += 1
