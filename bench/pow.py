"""PoW 2.0 throughput: the full engine next to a bare forward loop, measured side by side.

    .venv/bin/python bench/pow.py [--params devnet] [--threads N] [--batch-size 64] [--rounds 15] [--seconds 1]

Rounds alternate (bare forward, engine sprint, reference-shaped forward) so a busy machine slows
all of them alike; medians are reported. The fp32 matmul peak is measured in the same run with
the same thread count, and the honest false-positive rate of the validation test is simulated.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from scipy.stats import binom

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.ml.pow.engine import DTYPES, PowEngine  # noqa: E402
from node.ml.pow.params import R_TARGET, PowParams  # noqa: E402
from node.ml.pow.validate import PROBABILITY_MISMATCH, SAMPLE_SIZE, fraud_test  # noqa: E402


def forward_flops(params: PowParams, all_positions_head: bool) -> float:
    """Multiply-adds x2 of one nonce's forward (attention counted over the full S x S square)."""
    s, d, kv = params.seq_len, params.dim, params.kv_heads * params.head_dim
    per_layer = 2 * s * (2 * d * d + 2 * d * kv + 3 * d * params.ffn_hidden_dim) + 4 * s * s * d
    head = 2 * d * params.vocab_size * (s if all_positions_head else 1)
    return params.n_layers * per_layer + head


def matmul_peak(seconds: float, size: int = 2048) -> float:
    """Best FLOP/s of a square fp32 matmul on the current torch threads."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    best, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        a @ b
        best = max(best, 2 * size**3 / (time.perf_counter() - start))
    return best


def timed_rate(step: Callable[[], int], seconds: float) -> float:
    """Items per second of repeated `step()` calls (each returns its item count) for ~`seconds`."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        done += step()
    return done / elapsed


def simulated_false_positives(runs: int, mismatch: float, seed: int = 0) -> tuple[int, float]:
    """(flagged count over `runs` honest validations, exact tail probability)."""
    invalid = np.random.default_rng(seed).binomial(SAMPLE_SIZE, mismatch, size=runs)
    flagged = sum(fraud_test(int(k), SAMPLE_SIZE)[1] for k in invalid)  # fraud_test is cached per k
    threshold = next(k for k in range(SAMPLE_SIZE + 1) if fraud_test(k, SAMPLE_SIZE)[1])
    return flagged, float(binom.sf(threshold - 1, SAMPLE_SIZE, mismatch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", default="devnet", help="devnet, testnet, mainnet or a JSON file")
    parser.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each timed window")
    parser.add_argument("--dtype-check", type=int, default=512, help="nonces recomputed in float16 (0: skip)")
    parser.add_argument("--simulations", type=int, default=100_000)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    params = PowParams.resolve(args.params)
    engine = PowEngine(params, "bench-block", "bench-key", dtype=DTYPES[args.dtype])
    model, batch_size = engine.model, args.batch_size
    ready = engine.prepare(np.arange(batch_size))
    sprint = engine.sprint(0, 1, batch_size)
    load_before = os.getloadavg()[0]

    def bare() -> int:
        with torch.inference_mode():
            model(ready.inputs)
        return batch_size

    def reference_shaped() -> int:  # final norm + output at every position, as the reference does
        with torch.inference_mode():
            model.output(model.norm(model.hidden_states(ready.inputs))).float()[:, -1, :].numpy()
        return batch_size

    def full_engine() -> int:
        return next(sprint).tried

    for step in (bare, reference_shaped, full_engine):
        step()  # warm-up
    rates: dict[str, list[float]] = {"bare": [], "engine": [], "reference": [], "peak": []}
    for _ in range(args.rounds):
        rates["bare"].append(timed_rate(bare, args.seconds))
        rates["engine"].append(timed_rate(full_engine, args.seconds))
        rates["reference"].append(timed_rate(reference_shaped, args.seconds / 2))
        rates["peak"].append(matmul_peak(args.seconds / 4))
    sprint.close()
    ratios = [e / b for e, b in zip(rates["engine"], rates["bare"])]
    med = {name: statistics.median(values) for name, values in rates.items()}
    flops = forward_flops(params, all_positions_head=False)
    peak = max(rates["peak"])
    prepare_rate = timed_rate(lambda: len(engine.prepare(np.arange(batch_size)).nonces), args.seconds)
    valid_rate = float((engine.distances(np.arange(2048)) < R_TARGET).mean())

    print(f"params {args.params} ({params.total_params / 1e6:.1f} M parameters), dtype {args.dtype}, "
          f"batch {batch_size}, torch threads {args.threads}, {args.rounds} rounds x {args.seconds:g} s, "
          f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    print(f"bare forward on ready inputs : {med['bare']:8.1f} nonces/s")
    print(f"full engine (sprint)         : {med['engine']:8.1f} nonces/s  ratio {statistics.median(ratios):.3f} "
          f"(rounds {', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"reference-shaped forward     : {med['reference']:8.1f} nonces/s  (head at every position; "
          f"last-position head is {med['bare'] / med['reference']:.2f}x faster)")
    print(f"input preparation alone      : {prepare_rate:8.1f} nonces/s on one thread "
          f"({med['engine'] / prepare_rate:.0%} of one core at engine speed)")
    reference_flops = forward_flops(params, all_positions_head=True)
    print(f"FLOPs per nonce              : {flops / 1e6:8.1f} M (reference-shaped {reference_flops / 1e6:.1f} M)")
    print(f"achieved                     : {med['engine'] * flops / 1e9:8.1f} GFLOP/s engine, "
          f"{med['bare'] * flops / 1e9:.1f} bare; fp32 matmul peak {peak / 1e9:.1f} GFLOP/s "
          f"-> engine at {med['engine'] * flops / peak:.0%} of peak")
    print(f"valid nonces                 : {valid_rate:.2%} of 2048 (r_target {R_TARGET})")

    if args.dtype_check:
        nonces = np.arange(args.dtype_check)
        fp32 = PowEngine(params, "bench-block", "bench-key", dtype=torch.float32).distances(nonces)
        fp16 = PowEngine(params, "bench-block", "bench-key", dtype=torch.float16).distances(nonces)
        flips = int(((fp32 < R_TARGET) != (fp16 < R_TARGET)).sum())
        print(f"fp32 vs fp16 recompute       : max |d| {np.abs(fp32 - fp16).max():.2e}, "
              f"validity flips {flips} of {len(nonces)}")
    for mismatch in (PROBABILITY_MISMATCH, 1e-3, 1e-2):
        flagged, exact = simulated_false_positives(args.simulations, mismatch)
        print(f"honest false positives       : {flagged} of {args.simulations} simulated validations at "
              f"mismatch rate {mismatch:g} (exact {exact:.2e})")


if __name__ == "__main__":
    main()
