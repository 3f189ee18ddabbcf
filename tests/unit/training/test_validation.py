"""Re-execution of committed segments: honest rounds pass, every lazy-trainer mode is caught.

Rounds run in process without torchft (one worker: DiLoCo's sync is not needed to check a
segment). The honest errors measured here are the calibration the tolerances rest on."""

from pathlib import Path
from typing import Any

import pytest
import torch

from node.ml.training.adversary import make_policy
from node.ml.training.data import load_tokens, shard_batch
from node.ml.training.model import build_model
from node.ml.training.rounds import RoundRecorder, run_round
from node.ml.training.snapshots import ArtifactStore
from node.ml.training.spec import TrainSpec
from node.ml.training.steps import inner_optimizer, set_determinism
from node.ml.training.validate import (
    LOSS_TOLERANCE,
    STATE_TOLERANCE,
    check_segment,
    choose_segments,
    validate_worker,
)

SPEC = TrainSpec(inner_steps=6, segment_steps=3, outer_steps=3, batch_size=4, seq_len=32)
SHARD, SHARDS = 1, 3


def rounds(store: ArtifactStore, adversary: str = "") -> list[dict[str, Any]]:
    """Three committed outer steps of one worker (its chain StepCommitments as dicts)."""
    set_determinism(1)
    tokens = load_tokens(SPEC.dataset)
    model = build_model(SPEC.model, SPEC.seed)
    optimizer = inner_optimizer(model, SPEC.inner_lr)
    recorder = RoundRecorder(model, optimizer, store, SPEC.inner_steps, SPEC.segment_steps, make_policy(adversary))
    optimizer.register_step_post_hook(recorder)
    commitments = []
    for step in range(SPEC.outer_steps):

        def batch_of(i: int, step: int = step) -> torch.Tensor:
            return shard_batch(tokens, SHARD, SHARDS, SPEC.seed, step, i, SPEC.batch_size, SPEC.seq_len)

        commitments.append(run_round(recorder, step, batch_of).to_chain(task_id=1))
    return commitments


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ArtifactStore:
    return ArtifactStore(tmp_path_factory.mktemp("artifacts"))


def test_honest_segments_reexecute_within_tolerance_at_any_thread_count(store: ArtifactStore) -> None:
    honest = rounds(store)
    checks = [check_segment(SPEC, SHARD, SHARDS, honest[step], seg, store) for step in (0, 2) for seg in (0, 1)]
    torch.set_num_threads(2)
    try:
        checks.append(check_segment(SPEC, SHARD, SHARDS, honest[1], 1, store))
    finally:
        torch.set_num_threads(1)
    assert all(check.passed and check.start_ok for check in checks), checks
    # Calibration: honest error is float rounding, far below the tolerances.
    assert max(check.loss_error for check in checks) < LOSS_TOLERANCE / 100
    assert max(check.state_error for check in checks) < STATE_TOLERANCE / 100


@pytest.mark.parametrize("mode", ["skip", "noise", "stale"])
def test_lazy_trainer_is_caught_in_every_mode(store: ArtifactStore, mode: str) -> None:
    lazy = rounds(store, f"lazy-trainer:{mode}")
    later = [check_segment(SPEC, SHARD, SHARDS, lazy[2], seg, store) for seg in (0, 1)]
    assert not any(check.passed for check in later), later
    # Far outside the tolerances, not just past them.
    assert min(max(c.loss_error / LOSS_TOLERANCE, c.state_error / STATE_TOLERANCE) for c in later) > 10


def test_a_worker_that_started_from_other_weights_fails_the_start_check(store: ArtifactStore) -> None:
    honest = rounds(store)
    forged = dict(honest[1], start_params_hash="sha256:" + "1" * 64)
    assert not check_segment(SPEC, SHARD, SHARDS, forged, 0, store).start_ok
    outvoted = check_segment(SPEC, SHARD, SHARDS, honest[1], 0, store, expected_start="sha256:" + "2" * 64)
    assert not outvoted.passed


def test_segment_choice_is_seeded_distinct_and_per_validator() -> None:
    picks = choose_segments(b"seed", "val-a", "worker", [0, 1, 2], 2, 4)
    assert picks == choose_segments(b"seed", "val-a", "worker", [0, 1, 2], 2, 4)
    assert len(set(picks)) == 4 and all(step in (0, 1, 2) and seg in (0, 1) for step, seg in picks)
    others = {tuple(choose_segments(b"seed", f"val-{i}", "worker", [0, 1, 2], 2, 2)) for i in range(8)}
    assert len(others) > 1
    assert len(choose_segments(b"seed", "v", "w", [0], 2, 5)) == 2


def test_validate_worker_gives_a_verdict(store: ArtifactStore, tmp_path: Path) -> None:
    honest = rounds(store)
    passed, checks = validate_worker(SPEC, SHARD, SHARDS, honest, store, b"seed", "val", "w", count=2)
    assert passed and len(checks) == 2
    lazy = rounds(store, "lazy-trainer:noise")
    passed, _ = validate_worker(SPEC, SHARD, SHARDS, lazy, store, b"seed", "val", "w", count=2)
    assert not passed
