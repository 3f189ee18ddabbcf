"""The api node's async link to its chain node (gRPC): queries, broadcasts, the block stream.

The api node may not import node.chain (nodes only talk over the wire), so this is a
thin grpc.aio wrapper over the generated stubs with JSON-decoded answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, AsyncIterator

import grpc

from node.proto.gonka import chain_pb2 as pb
from node.proto.gonka import chain_pb2_grpc as pb_grpc

GRPC_OPTIONS = [("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)]


class ChainQueryError(Exception):
    def __init__(self, path: str, message: str, not_found: bool) -> None:
        super().__init__(f"query {path}: {message}")
        self.not_found = not_found


@dataclass(frozen=True)
class BroadcastResult:
    hash: str
    check_code: int
    check_log: str
    committed: bool
    height: int
    code: int
    log: str
    events: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        # once committed, only the execution result counts (a re-sent tx's check speaks of the pooled copy)
        return self.code == 0 if self.committed else self.check_code == 0


def events_to_dicts(events: Any) -> list[dict[str, Any]]:
    return [{"type": e.type, "attributes": {a.key: a.value for a in e.attributes}} for e in events]


class ChainLink:
    def __init__(self, url: str) -> None:
        self.url = url
        self._channel = grpc.aio.insecure_channel(url, options=GRPC_OPTIONS)
        self._stub = pb_grpc.ChainStub(self._channel)

    async def close(self) -> None:
        await self._channel.close()

    async def query(self, path: str, timeout_s: float = 5.0, **params: Any) -> Any:
        try:
            answer = await self._stub.Query(pb.QueryRequest(path=path, params_json=json.dumps(params)), timeout=timeout_s)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND):
                raise ChainQueryError(path, error.details() or "", error.code() == grpc.StatusCode.NOT_FOUND) from None
            raise
        return json.loads(answer.json)

    async def status(self, timeout_s: float = 5.0) -> pb.NodeStatus:
        return await self._stub.Status(pb.StatusRequest(), timeout=timeout_s)

    async def broadcast(self, raw: bytes, wait: bool = False, timeout_s: float = 15.0) -> BroadcastResult:
        response = await self._stub.BroadcastTx(
            pb.BroadcastTxRequest(tx=raw, wait_commit=wait, timeout_ms=int(timeout_s * 1000)), timeout=timeout_s + 5
        )
        return BroadcastResult(
            response.hash, response.check_code, response.check_log, response.committed, response.height,
            response.code, response.log, events_to_dicts(response.events),
        )

    async def block(self, height: int = 0) -> pb.BlockInfo:
        return await self._stub.GetBlock(pb.GetBlockRequest(height=height), timeout=5)

    async def blocks(self, from_height: int) -> AsyncIterator[pb.BlockInfo]:
        """Committed blocks from `from_height` on, forever (the caller reconnects on errors)."""
        async for info in self._stub.StreamBlocks(pb.StreamBlocksRequest(from_height=from_height)):
            yield info
