"""A small synchronous client for a chain node's public gRPC service (node/proto/gonka/chain.proto).

Used by the CLI, the devnet supervisor, the demo and tests: each call has a deadline, and a
node that cannot be reached surfaces as `ChainUnavailable` instead of a raw gRPC error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc

from node.core.hashing import tx_hash
from node.core.keys import AccountKey
from node.core.tx import build_tx, register_message
from node.proto.gonka import chain_pb2, chain_pb2_grpc, consensus_pb2
from node.proto.gonka.bank_pb2 import MsgSend

_DEFAULT_TIMEOUT_S = 5.0
# Blocks can carry many txs; the grpc default of 4 MiB would cut large ones off.
_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# Extra deadline on top of a commit wait, so the server's own timeout answers first.
_WAIT_MARGIN_S = 5.0
_UNREACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)

# build_tx accepts registered message types only; registering the same class twice is a no-op,
# so the client works whether or not the bank module of the app was imported in this process.
register_message(MsgSend)


class ChainError(Exception):
    """The node answered with an error (bad request, unknown path, internal failure)."""

    def __init__(self, message: str, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.code = code


class ChainUnavailable(ChainError):
    """The node could not be reached in time (not running, wrong address, overloaded)."""


def grpc_target(url: str) -> str:
    """'grpc://127.0.0.1:9090', 'http://…' or a bare 'host:port' -> the channel target 'host:port'."""
    for scheme in ("grpc://", "http://"):
        if url.startswith(scheme):
            url = url[len(scheme) :]
    url = url.rstrip("/")
    host, sep, port = url.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"node address must look like HOST:PORT, got {url!r}")
    return url


def _events(events: Any) -> list[dict[str, Any]]:
    # A list of pairs keeps repeated attribute keys, which a dict would silently merge.
    return [
        {"type": e.type, "attributes": [{"key": a.key, "value": a.value} for a in e.attributes]}
        for e in events
    ]


def block_to_dict(info: chain_pb2.BlockInfo) -> dict[str, Any]:
    header = consensus_pb2.Block.FromString(info.block).header
    return {
        "height": info.height,
        "hash": info.hash.hex(),
        "app_hash": info.app_hash.hex(),
        "time_ms": info.time_ms,
        "proposer": info.proposer_address.hex(),
        "txs": [tx_hash(raw) for raw in info.txs],
        "tx_results": [
            {"hash": r.hash, "code": r.code, "log": r.log, "events": _events(r.events)}
            for r in info.tx_results
        ],
        "events": _events(info.events),
        "evidence_count": info.evidence_count,
        "validators_hash": header.validators_hash.hex(),
        "last_block_hash": header.last_block_hash.hex(),
    }


class ChainClient:
    """Synchronous access to one chain node; `url` is 'host:port' (an optional grpc:// is accepted)."""

    def __init__(self, url: str, timeout_s: float = _DEFAULT_TIMEOUT_S) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self._channel = grpc.insecure_channel(
            grpc_target(url),
            options=[
                ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
            ],
        )
        self._stub = chain_pb2_grpc.ChainStub(self._channel)

    def __enter__(self) -> ChainClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    def _call(self, method: Any, request: Any, timeout_s: float | None) -> Any:
        try:
            return method(request, timeout=timeout_s or self.timeout_s)
        except grpc.RpcError as err:
            raise self._translate(err) from None

    def _translate(self, err: grpc.RpcError) -> ChainError:
        code = err.code() if hasattr(err, "code") else None
        details = err.details() if hasattr(err, "details") else str(err)
        if code in _UNREACHABLE:
            return ChainUnavailable(f"chain node {self.url} unreachable: {details}", code)
        name = code.name if code is not None else "UNKNOWN"
        return ChainError(f"chain node {self.url}: {name}: {details}", code)

    def broadcast_tx(self, raw: bytes, wait: bool = False, timeout_s: float = 10.0) -> dict[str, Any]:
        """Submit a signed tx. `check_code` 0 means it entered the mempool; with `wait` the
        answer also says whether it was committed, at which `height` and with which `code`."""
        request = chain_pb2.BroadcastTxRequest(tx=raw, wait_commit=wait, timeout_ms=int(timeout_s * 1000))
        deadline = timeout_s + _WAIT_MARGIN_S if wait else None
        r = self._call(self._stub.BroadcastTx, request, deadline)
        result: dict[str, Any] = {"hash": r.hash, "check_code": r.check_code, "check_log": r.check_log}
        if wait:
            result.update(committed=r.committed, height=r.height, code=r.code, log=r.log, events=_events(r.events))
        return result

    def query(self, path: str, **params: Any) -> Any:
        request = chain_pb2.QueryRequest(path=path, params_json=json.dumps(params) if params else "")
        return json.loads(self._call(self._stub.Query, request, None).json)

    def balance(self, address: str) -> int:
        """An account's balance in ngonka (0 for an account the chain has never seen)."""
        return int(self.query("balance", address=address)["amount"])

    def block(self, height: int = 0) -> dict[str, Any]:
        """The committed block at `height` (0 = latest)."""
        return block_to_dict(self._call(self._stub.GetBlock, chain_pb2.GetBlockRequest(height=height), None))

    def tx(self, hash_hex: str) -> dict[str, Any] | None:
        """A committed tx by hash, or None when this node has not seen it committed."""
        try:
            r = self._call(self._stub.GetTx, chain_pb2.GetTxRequest(hash=hash_hex.upper()), None)
        except ChainError as err:
            if err.code == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        if not r.found:
            return None
        return {
            "hash": r.hash,
            "height": r.height,
            "index": r.index,
            "code": r.code,
            "log": r.log,
            "events": _events(r.events),
        }

    def status(self, timeout_s: float | None = None) -> dict[str, Any]:
        r = self._call(self._stub.Status, chain_pb2.StatusRequest(), timeout_s)
        return {
            "chain_id": r.chain_id,
            "name": r.name,
            "height": r.height,
            "latest_block_hash": r.latest_block_hash.hex(),
            "app_hash": r.app_hash.hex(),
            "catching_up": r.catching_up,
            "validator_address": r.validator_address.hex(),
            "peers_connected": r.peers_connected,
            "mempool_size": r.mempool_size,
            "latest_block_time_ms": r.latest_block_time_ms,
        }

    def stream_blocks(self, from_height: int = 0) -> Iterator[dict[str, Any]]:
        """Committed blocks from `from_height` on (0 = the next one); never ends by itself.
        Closing the generator cancels the server stream."""
        # No deadline: the stream is meant to stay open; a dead node ends it with UNAVAILABLE.
        stream = self._stub.StreamBlocks(chain_pb2.StreamBlocksRequest(from_height=from_height))
        try:
            for info in stream:
                yield block_to_dict(info)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED:
                raise self._translate(err) from None
        finally:
            stream.cancel()

    def build_send(self, key: AccountKey, to_address: str, amount: int, sequence: int | None = None) -> bytes:
        """A signed MsgSend from `key`. The account number comes from the chain; `sequence`
        overrides the committed one when the caller queues several txs per block."""
        account = self.query("account", address=key.address)
        chain_id = self.status()["chain_id"]
        msg = MsgSend(from_address=key.address, to_address=to_address, amount=amount)
        seq = int(account["sequence"]) if sequence is None else sequence
        return build_tx(key, chain_id, int(account["account_number"]), seq, [msg])

    def send_tokens(
        self, key: AccountKey, to_address: str, amount: int, wait: bool = False, timeout_s: float = 10.0
    ) -> dict[str, Any]:
        """Send `amount` ngonka from `key`'s account; see broadcast_tx for the answer."""
        return self.broadcast_tx(self.build_send(key, to_address, amount), wait=wait, timeout_s=timeout_s)
