"""Chain throughput and commit latency with 4 local validators, next to the signature ceiling.

    .venv/bin/python bench/chain.py [--accounts 40] [--txs-per-account 150] [--concurrency 40]

In one run it
1. measures this machine's raw secp256k1 verification rate on one core (coincurve): every
   tx is verified once per node, so with V validators the chain cannot exceed rate / V on
   one core — the ceiling of this design;
2. starts a fresh 4-validator devnet (real processes, gRPC on 127.0.0.1), funds senders;
3. submits pre-signed transfers, each sender's txs in order to one node, all senders at
   once, and follows committed blocks to time every tx from submit to commit;
4. prints committed tx/s, p50/p99 submit-to-commit latency and the ratios against the
   targets (1,000 tx/s, p50 <= 1 s) and against the ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import grpc
from coincurve import PrivateKey
from rich.progress import Progress

from node.chain.client import ChainClient
from node.core.hashing import tx_hash
from node.core.keys import AccountKey
from node.core.tx import build_tx
from node.devnet.network import Devnet
from node.proto.gonka import chain_pb2, chain_pb2_grpc
from node.proto.gonka.bank_pb2 import MsgSend

TARGET_TPS = 1000
TARGET_P50_S = 1.0


def verify_rate_one_core(seconds: float = 2.0) -> float:
    key = PrivateKey()
    message = b"x" * 200
    signature = key.sign(message)
    public = key.public_key
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for _ in range(200):
            public.verify(signature, message)
        count += 200
    return count / seconds


def fund_senders(net: Devnet, senders: list[AccountKey], amount: int) -> None:
    faucet = AccountKey.from_private_hex(net.manifest.faucet.private_key)
    with net.client() as client:
        account = client.query("account", address=faucet.address)
        chain_id = client.status()["chain_id"]
        hashes = []
        for offset, sender in enumerate(senders):
            msg = MsgSend(from_address=faucet.address, to_address=sender.address, amount=amount)
            raw = build_tx(faucet, chain_id, int(account["account_number"]), int(account["sequence"]) + offset, [msg])
            result = client.broadcast_tx(raw)
            if result["check_code"]:
                raise RuntimeError(f"funding tx refused: {result}")
            hashes.append(result["hash"])
        client.broadcast_tx(raw, wait=True)  # the last funding tx: returns once it is committed
        deadline = time.monotonic() + 30
        while any(client.tx(h) is None for h in hashes):
            if time.monotonic() > deadline:
                raise RuntimeError("funding txs did not commit")
            time.sleep(0.2)


def sign_transfers(net: Devnet, senders: list[AccountKey], per_sender: int) -> list[list[bytes]]:
    sink = AccountKey.generate().address
    with net.client() as client:
        chain_id = client.status()["chain_id"]
        numbers = [int(client.query("account", address=s.address)["account_number"]) for s in senders]
    return [
        [build_tx(s, chain_id, n, seq, [MsgSend(from_address=s.address, to_address=sink, amount=1)]) for seq in range(per_sender)]
        for s, n in zip(senders, numbers)
    ]


class CommitWatcher:
    """Follows committed blocks on one node and records when each tx hash was first seen committed."""

    def __init__(self, url: str) -> None:
        self.committed_at: dict[str, float] = {}
        self.block_times: list[float] = []
        self._client = ChainClient(url, timeout_s=3600)
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _follow(self) -> None:
        try:
            for block in self._client.stream_blocks(0):
                now = time.monotonic()
                self.block_times.append(now)
                for hash_ in block["txs"]:
                    self.committed_at.setdefault(hash_, now)
        except Exception:  # the stream ends when the devnet goes down
            return


async def submit_all(
    urls: list[str], batches: list[list[bytes]], submitted_at: dict[str, float], progress: Progress
) -> Counter[str]:
    channels = [grpc.aio.insecure_channel(url) for url in urls]
    stubs = [chain_pb2_grpc.ChainStub(channel) for channel in channels]
    task = progress.add_task("submitting", total=sum(len(b) for b in batches))
    refused: Counter[str] = Counter()

    async def sender(index: int, txs: list[bytes]) -> None:
        stub = stubs[index % len(stubs)]
        for raw in txs:
            submitted_at[tx_hash(raw)] = time.monotonic()
            response = await stub.BroadcastTx(chain_pb2.BroadcastTxRequest(tx=raw), timeout=30)
            if response.check_code:
                refused[response.check_log.split(":")[0]] += 1
            progress.advance(task)

    await asyncio.gather(*(sender(i, txs) for i, txs in enumerate(batches)))
    for channel in channels:
        await channel.close()
    return refused


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--validators", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=40)
    parser.add_argument("--txs-per-account", type=int, default=150)
    args = parser.parse_args()

    ceiling = verify_rate_one_core()
    print(f"secp256k1 verifications/s on one core: {ceiling:,.0f}")
    with tempfile.TemporaryDirectory(prefix="gonka-bench-") as folder:
        net = Devnet.up(Path(folder) / "net", participants=args.validators)
        try:
            senders = [AccountKey.generate() for _ in range(args.accounts)]
            fund_senders(net, senders, 10**9)
            batches = sign_transfers(net, senders, args.txs_per_account)
            urls = [node.url for node in net.manifest.nodes]
            watcher = CommitWatcher(urls[0])
            watcher.start()
            submitted_at: dict[str, float] = {}
            started = time.monotonic()
            with Progress() as progress:
                refused = asyncio.run(submit_all(urls, batches, submitted_at, progress))
                task = progress.add_task("committing", total=len(submitted_at))
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    done = sum(1 for h in submitted_at if h in watcher.committed_at)
                    progress.update(task, completed=done)
                    if done + sum(refused.values()) >= len(submitted_at):
                        break
                    time.sleep(0.2)
            latencies = [watcher.committed_at[h] - t for h, t in submitted_at.items() if h in watcher.committed_at]
            committed = len(latencies)
            finished = max(watcher.committed_at[h] for h in submitted_at if h in watcher.committed_at)
            tps = committed / (finished - started)
            blocks = [t for t in watcher.block_times if started <= t <= finished]
        finally:
            net.down(purge=True)

    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    per_node_ceiling = ceiling / args.validators
    print(f"validators: {args.validators}, txs submitted: {len(submitted_at)}, refused at submit: {sum(refused.values())} {dict(refused)}, committed: {committed}")
    print(f"blocks in the window: {len(blocks)}, mean txs per block: {committed / max(1, len(blocks)):.0f}")
    print(f"committed tx/s: {tps:,.0f}   target {TARGET_TPS:,}   ratio {tps / TARGET_TPS:.2f}")
    print(f"submit-to-commit latency p50: {p50 * 1000:.0f} ms   p99: {p99 * 1000:.0f} ms   target p50 <= {TARGET_P50_S * 1000:.0f} ms")
    print(
        f"signature ceiling (one core, each tx verified on {args.validators} nodes): {per_node_ceiling:,.0f} tx/s"
        f"   achieved/ceiling {tps / per_node_ceiling:.2f}"
    )


if __name__ == "__main__":
    main()
