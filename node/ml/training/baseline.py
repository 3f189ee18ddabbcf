"""The single-process baseline DiLoCo is measured against: the same model, seed and inner
optimizer, trained for the same T*H steps on the same total tokens (at step (t, i) one batch
holding every shard's batch of (t, i)), evaluated on the same held-out batch."""

from __future__ import annotations

import torch

from node.ml.training.data import eval_batch, load_tokens, shard_batch
from node.ml.training.model import build_model
from node.ml.training.spec import TrainSpec
from node.ml.training.steps import evaluate, inner_optimizer, inner_step
from node.ml.training.worker import EVAL_BATCH


def train_baseline(spec: TrainSpec, num_shards: int) -> float:
    """Final held-out loss."""
    tokens = load_tokens(spec.dataset)
    model = build_model(spec.model, spec.seed)
    optimizer = inner_optimizer(model, spec.inner_lr)
    for outer_step in range(spec.outer_steps):
        for step in range(spec.inner_steps):
            batch = torch.cat(
                [
                    shard_batch(tokens, shard, num_shards, spec.seed, outer_step, step, spec.batch_size, spec.seq_len)
                    for shard in range(num_shards)
                ]
            )
            inner_step(model, optimizer, batch)
    return evaluate(model, eval_batch(tokens, EVAL_BATCH, spec.seq_len))
