"""The chain node's public gRPC service (node/proto/gonka/chain.proto).

Bad input never changes anything: a malformed tx is refused by the mempool's check,
an unknown query path or malformed params answer INVALID_ARGUMENT.
"""

from __future__ import annotations

import json
from typing import AsyncIterator, Sequence

import grpc

from node.chain.app.abci import Event as AppEvent
from node.chain.consensus import blocks as blk
from node.chain.node import ChainNode
from node.chain.p2p import GRPC_OPTIONS
from node.chain.store.block_store import IndexedTx
from node.chain.tx_waiters import TxDropped
from node.core.errors import TxCode
from node.core.hashing import tx_hash
from node.proto.gonka import chain_pb2 as pb
from node.proto.gonka import chain_pb2_grpc as pb_grpc
from node.proto.gonka import consensus_pb2 as cpb

DEFAULT_COMMIT_WAIT_MS = 10_000
MAX_COMMIT_WAIT_MS = 60_000


def _events(events: Sequence[AppEvent]) -> list[pb.Event]:
    return [pb.Event(type=e.type, attributes=[pb.Attribute(key=k, value=v) for k, v in e.attributes]) for e in events]


class ChainService(pb_grpc.ChainServicer):
    def __init__(self, node: ChainNode) -> None:
        self.node = node

    async def BroadcastTx(self, request: pb.BroadcastTxRequest, context: grpc.aio.ServicerContext) -> pb.BroadcastTxResponse:
        if not request.tx:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "empty tx")
        if request.wait_commit:
            # a replay is refused, but a caller waiting for its tx also learns where it landed
            already = self.node.blocks.find_tx(tx_hash(request.tx))
            if already is not None:
                refused = pb.BroadcastTxResponse(
                    hash=tx_hash(request.tx), check_code=TxCode.WRONG_SEQUENCE,
                    check_log=f"replay: tx already committed at height {already.height}",
                )
                return self._committed(refused, already)
        hash_, check = self.node.submit_tx(request.tx)
        response = pb.BroadcastTxResponse(hash=hash_ or tx_hash(request.tx), check_code=check.code, check_log=check.log)
        # a tx already waiting in the mempool is waited for like a fresh one
        waitable = check.code == 0 or check.code == TxCode.TX_IN_MEMPOOL
        if not (request.wait_commit and waitable):
            return response
        timeout_ms = min(request.timeout_ms or DEFAULT_COMMIT_WAIT_MS, MAX_COMMIT_WAIT_MS)
        try:
            found = await self.node.wait_for_tx(response.hash, timeout_ms / 1000)
        except TxDropped as dropped:  # the waiter learns now, with why, rather than at its timeout
            response.check_code = dropped.check.code
            response.check_log = f"left the mempool without a block: {dropped.check.log}"
            return response
        return self._committed(response, found) if found is not None else response

    @staticmethod
    def _committed(response: pb.BroadcastTxResponse, found: IndexedTx) -> pb.BroadcastTxResponse:
        response.committed = True
        response.height = found.height
        response.code = found.code
        response.log = found.log
        response.events.extend(_events(found.events))
        return response

    async def Query(self, request: pb.QueryRequest, context: grpc.aio.ServicerContext) -> pb.QueryResponse:
        try:
            params = json.loads(request.params_json) if request.params_json else {}
            if not isinstance(params, dict):
                raise ValueError("params_json must be a JSON object")
            result = self.node.app.query(request.path, params)
        except (ValueError, KeyError, TypeError) as error:
            missing = getattr(error, "code", None) == "not_found"  # a QueryError for an absent record
            code = grpc.StatusCode.NOT_FOUND if missing else grpc.StatusCode.INVALID_ARGUMENT
            await context.abort(code, f"query {request.path!r}: {error}")
        return pb.QueryResponse(json=json.dumps(result))

    async def GetBlock(self, request: pb.GetBlockRequest, context: grpc.aio.ServicerContext) -> pb.BlockInfo:
        height = request.height or self.node.latest_height
        info = self._block_info(height)
        if info is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no block at height {height}")
        return info

    async def GetTx(self, request: pb.GetTxRequest, context: grpc.aio.ServicerContext) -> pb.TxInfo:
        found = self.node.blocks.find_tx(request.hash.upper())
        if found is None:
            return pb.TxInfo(found=False, hash=request.hash.upper())
        return pb.TxInfo(
            found=True, hash=request.hash.upper(), height=found.height, index=found.index, code=found.code,
            log=found.log, events=_events(found.events), tx=found.tx,
        )

    async def Status(self, request: pb.StatusRequest, context: grpc.aio.ServicerContext) -> pb.NodeStatus:
        node = self.node
        height = node.latest_height
        block = node.blocks.load_block(height) if height else None
        header = cpb.Block.FromString(block).header if block else None
        return pb.NodeStatus(
            chain_id=node.chain_id,
            name=node.name,
            height=height,
            latest_block_hash=node.blocks.load_block_hash(height) or b"" if height else b"",
            app_hash=node.engine.summary.app_hash,
            catching_up=node.engine.catching_up,
            validator_address=node.engine.address,
            peers_connected=node.engine.p2p.connected_count(),
            mempool_size=len(node.mempool),
            latest_block_time_ms=header.time_ms if header else 0,
        )

    async def StreamBlocks(self, request: pb.StreamBlocksRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[pb.BlockInfo]:
        height = request.from_height or self.node.latest_height + 1
        while True:
            await self.node.wait_for_height(height)
            info = self._block_info(height)
            if info is not None:
                yield info
            height += 1

    def _block_info(self, height: int) -> pb.BlockInfo | None:
        raw = self.node.blocks.load_block(height)
        results = self.node.blocks.load_results(height)
        if raw is None or results is None:
            return None
        block = cpb.Block.FromString(raw)
        return pb.BlockInfo(
            height=height,
            hash=blk.block_hash(block),
            app_hash=results.app_hash,
            time_ms=block.header.time_ms,
            proposer_address=block.header.proposer_address,
            txs=list(block.txs),
            tx_results=[
                pb.TxResult(hash=tx_hash(tx), code=r.code, log=r.log, events=_events(r.events))
                for tx, r in zip(block.txs, results.tx_results)
            ],
            events=_events(results.events),
            block=raw,
            evidence_count=len(block.evidence),
        )


async def serve_public(node: ChainNode, listen: str) -> grpc.aio.Server:
    server = grpc.aio.server(options=GRPC_OPTIONS)
    pb_grpc.add_ChainServicer_to_server(ChainService(node), server)
    if server.add_insecure_port(listen) == 0:
        raise OSError(f"cannot listen for rpc on {listen}")
    await server.start()
    return server
