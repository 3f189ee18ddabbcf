"""Training validation: re-execute committed inner-step segments and compare.

A validator picks random (outer step, segment) pairs of a worker's commitments, seeded by the
task's challenge seed (fixed on chain only after every commitment was in) and its own address.
For each it loads the committed snapshot at the segment's start (checked against its hash),
re-runs the segment's inner steps on the worker's data shard with the same code (steps.py),
and compares:

- the loss trajectory: worst |re-executed - committed| / committed over the segment;
- the end state: |re-executed params - committed next snapshot| / |re-executed update|, and for
  the last segment also the committed pseudo-gradient against start - sent params;
- the start: snapshot 0 must hold the params the worker committed as its start, and those must
  be the ones most workers started that step from (the global weights).

Tolerances are calibrated on honest runs (tests/unit/training/test_validation.py re-measures
them, with one and two threads): an honest segment re-executes bit-exactly here, so the errors
left are the losses' rounding to millionths (relative <= 2e-7) and fp32-vs-fp64 rounding of
the pseudo-gradient (<= 3e-8). `lazy-trainer` (skip, noise, stale) is off by >= 0.07 in loss
and >= 0.4 in state. The bounds sit about 5,000x above the honest errors and 40x below lazy.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from node.ml.training.data import load_tokens, shard_batch
from node.ml.training.model import build_model
from node.ml.training.snapshots import ArtifactStore, digest, encode, flat, load_state, param_tensors, params_of
from node.ml.training.spec import TrainSpec
from node.ml.training.steps import inner_optimizer, inner_step

LOSS_TOLERANCE = 1e-3
STATE_TOLERANCE = 1e-2
PPM = 1_000_000


@dataclass(frozen=True)
class SegmentCheck:
    outer_step: int
    segment: int
    loss_error: float
    state_error: float
    start_ok: bool

    @property
    def passed(self) -> bool:
        return self.start_ok and self.loss_error <= LOSS_TOLERANCE and self.state_error <= STATE_TOLERANCE

    def to_chain(self) -> dict[str, int]:
        return {
            "outer_step": self.outer_step,
            "segment": self.segment,
            "loss_error_ppm": min(round(self.loss_error * PPM), 2**63),
            "state_error_ppm": min(round(self.state_error * PPM), 2**63),
        }


def choose_segments(
    challenge_seed: bytes, validator: str, worker: str, outer_steps: Sequence[int], segments: int, count: int
) -> list[tuple[int, int]]:
    """`count` distinct (outer step, segment) pairs, unpredictable before the seed was fixed."""
    pool = [(step, segment) for step in sorted(outer_steps) for segment in range(segments)]
    chosen: list[tuple[int, int]] = []
    counter = 0
    while pool and len(chosen) < count:
        data = challenge_seed + f"/{validator}/{worker}/{counter}".encode()
        chosen.append(pool.pop(int.from_bytes(hashlib.sha256(data).digest(), "big") % len(pool)))
        counter += 1
    return chosen


def consensus_starts(commitments: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """Per outer step, the start params hash most workers committed (the global weights)."""
    votes: dict[int, Counter[str]] = {}
    for commitment in commitments:
        votes.setdefault(commitment["outer_step"], Counter())[commitment["start_params_hash"]] += 1
    return {step: counter.most_common(1)[0][0] for step, counter in votes.items()}


def _relative(difference: torch.Tensor, scale: torch.Tensor) -> float:
    return float(difference.norm() / scale.norm().clamp_min(1e-12))


def check_segment(
    spec: TrainSpec,
    shard: int,
    num_shards: int,
    commitment: Mapping[str, Any],
    segment: int,
    store: ArtifactStore,
    expected_start: str | None = None,
) -> SegmentCheck:
    """Re-execute one segment of one committed outer step (a chain StepCommitment as a dict)."""
    outer_step = commitment["outer_step"]
    snapshots = commitment["snapshot_hashes"]
    round_start = params_of(store.get(snapshots[0]))
    start_hash = digest(encode(round_start))
    start_ok = start_hash == commitment["start_params_hash"] and expected_start in (None, start_hash)
    model = build_model(spec.model, spec.seed)
    optimizer = inner_optimizer(model, spec.inner_lr)
    begin = store.get(snapshots[segment])
    load_state(model, optimizer, begin)
    tokens = load_tokens(spec.dataset)
    first = segment * spec.segment_steps
    loss_error = 0.0
    for step in range(first, first + spec.segment_steps):
        batch = shard_batch(tokens, shard, num_shards, spec.seed, outer_step, step, spec.batch_size, spec.seq_len)
        loss = inner_step(model, optimizer, batch)
        committed = commitment["losses_micro"][step] / PPM
        loss_error = max(loss_error, abs(loss - committed) / max(committed, 1e-6))
    redone = flat(param_tensors(model))
    committed_end = params_of(store.get(snapshots[segment + 1]))
    state_error = _relative(redone - flat(committed_end), redone - flat(params_of(begin)))
    if segment == spec.segments - 1:
        pseudo_gradient = flat(store.get(commitment["pseudo_gradient_hash"]))
        honest = flat(round_start) - redone
        state_error = max(state_error, _relative(pseudo_gradient - honest, honest))
    return SegmentCheck(outer_step, segment, loss_error, state_error, start_ok)


def validate_worker(
    spec: TrainSpec,
    shard: int,
    num_shards: int,
    commitments: Sequence[Mapping[str, Any]],
    store: ArtifactStore,
    challenge_seed: bytes,
    validator: str,
    worker: str,
    count: int = 2,
    all_commitments: Sequence[Mapping[str, Any]] = (),
) -> tuple[bool, list[SegmentCheck]]:
    """(passed, checks) for `count` random segments of the worker's commitments."""
    by_step = {c["outer_step"]: c for c in commitments}
    starts = consensus_starts(all_commitments or commitments)
    picks = choose_segments(challenge_seed, validator, worker, list(by_step), spec.segments, count)
    checks = [
        check_segment(spec, shard, num_shards, by_step[step], segment, store, starts.get(step))
        for step, segment in picks
    ]
    return all(check.passed for check in checks), checks
