"""Measure similarity distributions, honest vs each adversary, to set a model's threshold.

    python -m node.ml.validation.calibrate [--model ID] [--samples 16] [--lengths 16 64 128 256]

An honest float32 validator (batch 1) judges completions served by: an honest executor at batch 1
and at batch 8 (padding changes the arithmetic a little), an honest bfloat16 executor (mixed
precision, the honest worst case), `wrong-model`, and `fake-logprobs` at several noise levels.
Prints one markdown row per (executor, max_tokens): the similarity's min / median / max, the
undiluted mean position distance, and the share passing the threshold.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from typing import Any

from node.ml.inference import DEFAULT_MODEL_ID, ChatRequest, InferenceConfig, RunnerBackend
from node.ml.validation.thresholds import threshold_for
from node.ml.validation.validate import InferenceVerdict, validate_inference

PROMPTS = ("What is proof of work?", "Explain the epoch schedule.", "Write a haiku about seeds.", "Who validates?")
TEMPERATURES = (1.0, 0.7, 0.0)


def request_body(model: str, sample: int, max_tokens: int) -> dict[str, object]:
    return {
        "model": model,
        "messages": [{"role": "user", "content": PROMPTS[sample % len(PROMPTS)]}],
        "max_tokens": max_tokens,
        "seed": 1000 + sample,
        "temperature": TEMPERATURES[sample % len(TEMPERATURES)],
        "logprobs": True,
        "top_logprobs": 5,
    }


def verdicts(
    validator: RunnerBackend, executor: RunnerBackend, bodies: Sequence[dict[str, object]], batch: int, threshold: float
) -> list[InferenceVerdict]:
    out: list[InferenceVerdict] = []
    for i in range(0, len(bodies), batch):
        chunk = bodies[i : i + batch]
        results = executor.chat_batch([ChatRequest.from_openai(b) for b in chunk])
        out += [validate_inference(validator, b, r.response, threshold) for b, r in zip(chunk, results, strict=True)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL_ID)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--lengths", type=int, nargs="+", default=[16, 64, 128, 256])
    parser.add_argument("--noises", type=float, nargs="+", default=[0.05, 0.1, 0.2])
    args = parser.parse_args()
    threshold = threshold_for(args.model)

    def build(**overrides: Any) -> RunnerBackend:
        return InferenceConfig(models=(args.model,), **overrides).build()

    validator = build()
    executors = [
        ("honest, batch 1", validator, 1),
        ("honest, batch 8", validator, 8),
        ("honest, bfloat16, batch 8", build(dtype="bfloat16"), 8),
        ("wrong-model", build(adversary="wrong-model"), 8),
    ]
    executors += [
        (f"fake-logprobs σ={n}", build(adversary="fake-logprobs", fake_logprobs_noise=n), 8) for n in args.noises
    ]
    print(f"model {args.model}, threshold {threshold}, {args.samples} samples per row\n")
    print("| executor | max_tokens | mean N | similarity min | median | max | mean position distance | passed |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, executor, batch in executors:
        for length in args.lengths:
            bodies = [request_body(args.model, s, length) for s in range(args.samples)]
            vs = verdicts(validator, executor, bodies, batch, threshold)
            sims = [v.similarity for v in vs]
            mean_n, mean_d = statistics.mean(v.tokens for v in vs), statistics.mean(v.mean_distance for v in vs)
            print(
                f"| {name} | {length} | {mean_n:.0f} | {min(sims):.6f} | {statistics.median(sims):.6f} | "
                f"{max(sims):.6f} | {mean_d:.2e} | {sum(v.passed for v in vs)}/{len(vs)} |"
            )


if __name__ == "__main__":
    main()
