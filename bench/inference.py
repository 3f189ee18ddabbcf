"""Inference benchmark: our backend against a bare `transformers` generate, measured side by side.

    python bench/inference.py [--max-tokens 128] [--repeats 5] [--threads 1] [--device cpu]

Both sides use the same model object, sampling (temperature 1, no top-k/top-p cut) and thread
count, alternate run by run, and report the median. Our side also computes and renders top-5
logprobs per token and the OpenAI response; the baseline only samples. Then the validation
cost per token (teacher-forced score + similarity) is set next to the generation cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from node.ml.inference import DEFAULT_MODEL_ID, ChatRequest, InferenceConfig
from node.ml.validation import validate_inference

PROMPTS = [
    "What is proof of work?",
    "Explain the epoch schedule of the network in a few words.",
    "Who validates an inference?",
    "Write a short poem about hashes.",
    "How are rewards computed at the end of an epoch, and who receives them?",
    "List three uses of a random seed.",
    "Why do nodes compare logprobs?",
    "Say hello.",
]


def body(i: int, max_tokens: int) -> dict:
    return {
        "model": DEFAULT_MODEL_ID,
        "messages": [{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}],
        "max_tokens": max_tokens,
        "seed": i,
        "logprobs": True,
        "top_logprobs": 5,
    }


def rate(run: Callable[[], int]) -> float:
    """Tokens/s of one call of `run`, which returns the number of tokens it generated."""
    start = time.perf_counter()
    tokens = run()
    return tokens / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    # threads=None: the bench sets torch's thread count once, for both sides alike.
    backend = InferenceConfig(device=args.device, threads=None).build()
    runner = backend.runner(DEFAULT_MODEL_ID)  # the same model object for the baseline
    model, tokenizer = runner.model, runner.tokenizer
    tokenizer.padding_side = "left"
    print(
        f"model {DEFAULT_MODEL_ID} ({sum(p.numel() for p in model.parameters()) / 1e6:.1f}M params), "
        f"device {args.device}, torch threads {torch.get_num_threads()}, max_tokens {args.max_tokens}, "
        f"median of {args.repeats}"
    )

    def ours(batch: int) -> Callable[[], int]:
        requests = [ChatRequest.from_openai(body(i, args.max_tokens)) for i in range(batch)]
        return lambda: sum(len(r.completion_token_ids) for r in backend.chat_batch(requests))

    def bare(batch: int) -> Callable[[], int]:
        ids = [
            tokenizer.apply_chat_template(
                body(i, args.max_tokens)["messages"], add_generation_prompt=True, tokenize=True, return_dict=False
            )
            for i in range(batch)
        ]
        inputs = tokenizer.pad({"input_ids": ids}, return_tensors="pt").to(args.device)

        def run() -> int:
            with torch.inference_mode():
                out = model.generate(
                    **inputs, do_sample=True, temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=args.max_tokens
                )
            new = out[:, inputs["input_ids"].shape[1] :]
            return int((new != tokenizer.pad_token_id).sum())

        return run

    print("\n| batch | ours tok/s | bare generate tok/s | ratio |\n| --- | --- | --- | --- |")
    generation_s_per_token = 0.0
    for batch in (1, 8):
        mine, theirs = ours(batch), bare(batch)
        mine(), theirs()  # warm-up
        ours_rates, bare_rates = [], []
        for _ in range(args.repeats):  # alternate so drift in machine load hits both sides
            ours_rates.append(rate(mine))
            bare_rates.append(rate(theirs))
        ours_rate, bare_rate = statistics.median(ours_rates), statistics.median(bare_rates)
        if batch == 1:
            generation_s_per_token = 1 / ours_rate
        print(f"| {batch} | {ours_rate:.0f} | {bare_rate:.0f} | {ours_rate / bare_rate:.2f} |")

    request = body(0, args.max_tokens)
    claim = backend.chat(ChatRequest.from_openai(request)).response
    n = len(claim["choices"][0]["token_ids"])
    messages = ChatRequest.from_openai(request).messages
    score_times, validate_times = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        backend.score(DEFAULT_MODEL_ID, messages, claim["choices"][0]["token_ids"], 5)
        score_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        verdict = validate_inference(backend, request, claim)
        validate_times.append(time.perf_counter() - start)
    score_pt, validate_pt = statistics.median(score_times) / n, statistics.median(validate_times) / n
    print(f"\nvalidation of a {n}-token completion (similarity {verdict.similarity:.6f}, passed {verdict.passed}):")
    print("| per token | ms | vs generation |\n| --- | --- | --- |")
    print(f"| generation (batch 1) | {generation_s_per_token * 1e3:.3f} | 1.00 |")
    print(f"| teacher-forced score | {score_pt * 1e3:.3f} | {score_pt / generation_s_per_token:.3f} |")
    print(f"| full validate_inference | {validate_pt * 1e3:.3f} | {validate_pt / generation_s_per_token:.3f} |")


if __name__ == "__main__":
    main()
