"""Training params per profile, and their sanity checks."""

from __future__ import annotations

from node.proto.gonka.training_tasks_pb2 import TrainingParams

PPM = 1_000_000


def training_params(heartbeat_timeout_blocks: int, validation_period_blocks: int) -> TrainingParams:
    """H in [2, 1000], up to 1000 outer steps and 16 workers, >= 1000 ngonka per worker-step,
    a verdict needs more than half of the eligible validators' weight."""
    return TrainingParams(
        min_inner_steps=2,
        max_inner_steps=1000,
        max_outer_steps=1000,
        max_workers=16,
        min_payment_per_step=1000,
        heartbeat_timeout_blocks=heartbeat_timeout_blocks,
        validation_period_blocks=validation_period_blocks,
        verdict_threshold_ppm=500_000,
        open_timeout_blocks=validation_period_blocks,
    )


def validate_training_params(params: TrainingParams) -> None:
    if not 1 <= params.min_inner_steps <= params.max_inner_steps:
        raise ValueError("training.min_inner_steps must be at least 1 and at most training.max_inner_steps")
    if params.max_outer_steps < 1 or params.max_workers < 1:
        raise ValueError("training.max_outer_steps and training.max_workers must be at least 1")
    if params.heartbeat_timeout_blocks < 1 or params.validation_period_blocks < 1 or params.open_timeout_blocks < 1:
        raise ValueError("training timeouts and periods must be at least one block")
    # Below one half both sides could win; at 1.0 no side ever could.
    if not PPM // 2 <= params.verdict_threshold_ppm < PPM:
        raise ValueError("training.verdict_threshold_ppm must be in [500000, 1000000)")
