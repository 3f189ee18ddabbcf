"""Training benchmark: DiLoCo on torchft against a data-parallel run that all-reduces every
step, and torchft's all-reduce against raw gloo, side by side in one run.

    python bench/train.py [--workers 3] [--inner-steps 100] [--outer-steps 30] [--model tiny-llama]

1. DiLoCo: WORKERS worker processes (node/ml/training/worker.py, a real lighthouse, gloo on
   127.0.0.1) for T outer steps of H inner steps; each all-reduces its pseudo-gradient once per
   outer step. The workers count the bytes they hand to all-reduce.
2. Data-parallel: WORKERS processes (torch.distributed gloo) train the same model, seed, data
   shards and inner optimizer for the same T*H steps, all-reducing the gradient every step.
   Both report the same held-out loss.
3. Bandwidth: the model's size all-reduced REPEATS times by torchft's Manager (quorum, fault
   tolerant process group) and by a raw gloo process group, WORKERS processes each.

Bytes are the payload each worker contributes (fp32 tensors); a ring all-reduce moves
2(k-1)/k times that over the wire per worker.

The loss gap needs enough outer steps: DiLoCo trained from scratch starts behind (its outer
Nesterov momentum builds up over the first syncs) and catches up; on tiny-llama at H=100 and a
constant inner lr of 1e-3 the gap was +13.6 % at T=5, +6.2 % at T=15, -0.3 % at T=30 (the
default) and -0.9 % at T=50 (bench/RESULTS.md). A warmup or cosine inner schedule, the same on
both sides, widened it: the decayed pseudo-gradients slow DiLoCo's catching up more than they
help the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from node.ml.training.data import eval_batch, load_tokens, shard_batch
from node.ml.training.events import read_events
from node.ml.training.launch import launch_worker
from node.ml.training.lighthouse import start_lighthouse
from node.ml.training.model import build_model, parameter_count
from node.ml.training.spec import TrainSpec
from node.ml.training.steps import GRAD_CLIP, batch_loss, evaluate, inner_optimizer, set_determinism
from node.ml.training.worker import EVAL_BATCH, WorkerConfig

REPEATS = 20


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_diloco(spec: TrainSpec, workers: int, folder: Path) -> dict[str, Any]:
    lighthouse, url = start_lighthouse(workers, folder / "lighthouse.log")
    started = time.monotonic()
    try:
        processes = [
            launch_worker(
                WorkerConfig(1, spec.to_dict(), shard, workers, f"w{shard}", url, str(folder / f"w{shard}/artifacts"),
                             str(folder / f"w{shard}/events.jsonl")),
                folder / f"w{shard}",
            )
            for shard in range(workers)
        ]
        codes = [process.wait() for process in processes]
    finally:
        lighthouse.terminate()
        lighthouse.wait()
    if codes != [0] * workers:
        raise SystemExit(f"a DiLoCo worker failed: see {folder}/w*/worker.log")
    events, _ = read_events(folder / "w0" / "events.jsonl")
    done = next(e for e in events if e["event"] == "done")
    return {"loss": done["eval_loss"], "bytes": done["allreduce_bytes"], "syncs": spec.outer_steps,
            "seconds": time.monotonic() - started}


def _dp_rank(rank: int, workers: int, port: int, spec: TrainSpec, out: Path) -> None:
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    set_determinism(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=workers)
    tokens = load_tokens(spec.dataset)
    model = build_model(spec.model, spec.seed)
    optimizer = inner_optimizer(model, spec.inner_lr)
    params = list(model.parameters())
    sent = 0
    for outer_step in range(spec.outer_steps):
        for step in range(spec.inner_steps):
            batch = shard_batch(tokens, rank, workers, spec.seed, outer_step, step, spec.batch_size, spec.seq_len)
            optimizer.zero_grad(set_to_none=True)
            batch_loss(model, batch).backward()
            flat = torch.cat([p.grad.reshape(-1) for p in params])
            dist.all_reduce(flat)
            sent += flat.numel() * flat.element_size()
            flat /= workers
            offset = 0
            for p in params:
                p.grad.copy_(flat[offset : offset + p.numel()].view_as(p))
                offset += p.numel()
            torch.nn.utils.clip_grad_norm_(params, GRAD_CLIP)
            optimizer.step()
    if rank == 0:
        loss = evaluate(model, eval_batch(tokens, EVAL_BATCH, spec.seq_len))
        out.write_text(json.dumps({"loss": loss, "bytes": sent}))
    dist.destroy_process_group()


def run_data_parallel(spec: TrainSpec, workers: int, folder: Path) -> dict[str, Any]:
    out = folder / "dp.json"
    started = time.monotonic()
    mp.spawn(_dp_rank, args=(workers, free_port(), spec, out), nprocs=workers)
    return json.loads(out.read_text()) | {"syncs": spec.outer_steps * spec.inner_steps,
                                          "seconds": time.monotonic() - started}


def _bandwidth_rank(rank: int, workers: int, port: int, numel: int, lighthouse: str, out: Path) -> None:
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    with (out.parent / f"bandwidth-{rank}.log").open("wb") as log:
        os.dup2(log.fileno(), 2)  # torchft logs every quorum on stderr
    torch.set_num_threads(1)
    tensor = torch.ones(numel)
    times: dict[str, list[float]] = {"gloo": [], "torchft": []}
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=workers)
    for _ in range(REPEATS):
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(tensor)
        times["gloo"].append(time.perf_counter() - start)
    dist.destroy_process_group()

    from torch.distributed import TCPStore
    from torchft import Manager, ProcessGroupGloo

    import node.ml.training.diloco  # noqa: F401  (keeps the manager server on loopback)

    store = TCPStore("127.0.0.1", 0, is_master=True, wait_for_workers=False)
    manager = Manager(pg=ProcessGroupGloo(timeout=timedelta(seconds=60)), load_state_dict=lambda _: None,
                      state_dict=lambda: {}, min_replica_size=workers, use_async_quorum=False, replica_id=f"b{rank}",
                      store_addr="127.0.0.1", store_port=store.port, rank=0, world_size=1, lighthouse_addr=lighthouse,
                      hostname="127.0.0.1", init_sync=False)
    for _ in range(REPEATS + 1):
        manager.start_quorum()  # quorum outside the timing: torchft's all-reduce itself is measured
        start = time.perf_counter()
        manager.allreduce(tensor).wait()
        elapsed = time.perf_counter() - start
        manager.should_commit()
        times["torchft"].append(elapsed)
    times["torchft"] = times["torchft"][1:]  # the first one sets up the process group
    manager.shutdown(wait=False)
    if rank == 0:
        out.write_text(json.dumps(times))
    os._exit(0)  # torchft's server threads would hold the process open


def run_bandwidth(numel: int, workers: int, folder: Path) -> dict[str, float]:
    out = folder / "bandwidth.json"
    lighthouse, url = start_lighthouse(workers, folder / "lighthouse-bw.log")
    try:
        mp.spawn(_bandwidth_rank, args=(workers, free_port(), numel, url, out), nprocs=workers)
    finally:
        lighthouse.terminate()
        lighthouse.wait()
    times = json.loads(out.read_text())
    size = numel * 4
    return {name: size / statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--inner-steps", type=int, default=100)
    parser.add_argument("--outer-steps", type=int, default=30)
    parser.add_argument("--model", default="tiny-llama")
    parser.add_argument("--inner-lr", type=float, default=1e-3)
    args = parser.parse_args()
    spec = TrainSpec(model=args.model, inner_steps=args.inner_steps, outer_steps=args.outer_steps,
                     max_workers=args.workers, inner_lr_micro=round(args.inner_lr * 1e6),
                     segment_steps=args.inner_steps)
    numel = parameter_count(build_model(spec.model, spec.seed))
    print(f"{args.workers} workers, {spec.model} ({numel:,} params, {numel * 4 / 1e6:.2f} MB fp32), "
          f"H={spec.inner_steps}, T={spec.outer_steps}, batch {spec.batch_size}x{spec.seq_len}, lr {spec.inner_lr:g}")
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        folder = Path(tmp)
        print("DiLoCo (torchft) ...", flush=True)
        diloco = run_diloco(spec, args.workers, folder)
        print("data-parallel (gloo, all-reduce every step) ...", flush=True)
        parallel = run_data_parallel(spec, args.workers, folder)
        print("all-reduce bandwidth ...", flush=True)
        bandwidth = run_bandwidth(numel, args.workers, folder)
    print()
    print(f"{'run':<16}{'all-reduces':>12}{'bytes/sync':>14}{'bytes total':>16}{'final loss':>12}{'wall s':>9}")
    for name, run in (("DiLoCo", diloco), ("data-parallel", parallel)):
        print(f"{name:<16}{run['syncs']:>12}{run['bytes'] // run['syncs']:>14,}{run['bytes']:>16,}"
              f"{run['loss']:>12.4f}{run['seconds']:>9.1f}")
    print(f"communication: DiLoCo sends {parallel['bytes'] / diloco['bytes']:.0f}x less; "
          f"loss gap {(diloco['loss'] / parallel['loss'] - 1) * 100:+.2f} %")
    print(f"all-reduce of {numel * 4 / 1e6:.2f} MB, {args.workers} processes: torchft "
          f"{bandwidth['torchft'] / 1e6:.0f} MB/s, raw gloo {bandwidth['gloo'] / 1e6:.0f} MB/s "
          f"({bandwidth['torchft'] / bandwidth['gloo']:.2f}x)")


if __name__ == "__main__":
    main()
