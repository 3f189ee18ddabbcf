"""One outer step's inner loop and what the worker commits for it.

`RoundRecorder` is a step post-hook on the inner optimizer. Registered before DiLoCo's own
hook, it sees the state after every inner step and, at step H, the state the worker is about
to send, before DiLoCo turns it into a pseudo-gradient and syncs. It stores a snapshot (params
and inner optimizer state) every `segment_steps` steps, so a validator can restart from any
segment boundary, and the pseudo-gradient (start params - sent params).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch
from torch import nn

from node.ml.training.snapshots import ArtifactStore, Tensors, digest, encode, param_tensors, state_tensors


class StepPolicy(Protocol):
    """How a worker spends its inner steps: honestly, or lazily (adversary.py)."""

    def inner_step(self, model: nn.Module, optimizer: torch.optim.Optimizer, batch: torch.Tensor, step: int) -> float:
        ...

    def before_send(self, model: nn.Module, start: Tensors) -> None:
        ...


@dataclass
class Commitment:
    """What goes on chain for one outer step (MsgCommitTrainingStep's StepCommitment)."""

    outer_step: int
    start_params_hash: str
    snapshot_hashes: list[str]
    pseudo_gradient_hash: str
    losses: list[float]

    def to_chain(self, task_id: int) -> dict[str, Any]:
        return {
            "task_id": task_id,
            "outer_step": self.outer_step,
            "start_params_hash": self.start_params_hash,
            "snapshot_hashes": self.snapshot_hashes,
            "pseudo_gradient_hash": self.pseudo_gradient_hash,
            "losses_micro": [loss_micro(loss) for loss in self.losses],
        }


def loss_micro(loss: float) -> int:
    return max(0, round(loss * 1_000_000))


@dataclass
class RoundRecorder:
    model: nn.Module
    optimizer: torch.optim.Optimizer
    store: ArtifactStore
    inner_steps: int
    segment_steps: int
    policy: StepPolicy
    step: int = 0
    start: Tensors = field(default_factory=dict)
    snapshots: list[str] = field(default_factory=list)
    pseudo_gradient_hash: str = ""

    def begin(self) -> None:
        self.step = 0
        self.start = param_tensors(self.model)
        self.snapshots = [self.store.put(state_tensors(self.model, self.optimizer))]
        self.pseudo_gradient_hash = ""

    def __call__(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        self.step += 1
        if self.step == self.inner_steps:
            self.policy.before_send(self.model, self.start)
        if self.step % self.segment_steps == 0:
            self.snapshots.append(self.store.put(state_tensors(self.model, optimizer)))
        if self.step == self.inner_steps:
            sent = param_tensors(self.model)
            self.pseudo_gradient_hash = self.store.put({key: self.start[key] - sent[key] for key in sent})


def run_round(
    recorder: RoundRecorder,
    outer_step: int,
    batch_of: Callable[[int], torch.Tensor],
    on_segment: Callable[[int], None] = lambda step: None,
) -> Commitment:
    """H inner steps from the current state; DiLoCo (when installed) syncs inside the last one."""
    recorder.begin()
    start_hash = digest(encode(recorder.start))
    losses = []
    for step in range(recorder.inner_steps):
        losses.append(recorder.policy.inner_step(recorder.model, recorder.optimizer, batch_of(step), step))
        if (step + 1) % recorder.segment_steps == 0:
            on_segment(step + 1)
    return Commitment(outer_step, start_hash, list(recorder.snapshots), recorder.pseudo_gradient_hash, losses)
