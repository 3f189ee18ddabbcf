"""Step policies: the honest one and `lazy-trainer`, an adversary that saves compute.

`lazy-trainer` modes (what it commits is what it really holds, so only re-execution shows it):
- `skip`:  computes every other inner step; on the others it steps the optimizer without a
           gradient and reports its last real loss.
- `noise`: computes nothing; sends random noise the size of a real pseudo-gradient.
- `stale`: computes its first outer step, then re-sends that pseudo-gradient every time.
Kept apart from the honest path: the worker only ever holds a StepPolicy.
"""

from __future__ import annotations

import torch
from torch import nn

from node.ml.training.snapshots import Tensors, param_tensors
from node.ml.training.steps import inner_step

LAZY_MODES = ("skip", "noise", "stale")
NOISE_SCALE = 1e-2  # about the size of an honest pseudo-gradient's entries for these models


class HonestPolicy:
    def inner_step(self, model: nn.Module, optimizer: torch.optim.Optimizer, batch: torch.Tensor, step: int) -> float:
        return inner_step(model, optimizer, batch)

    def before_send(self, model: nn.Module, start: Tensors) -> None:
        pass


class LazyTrainer:
    def __init__(self, mode: str, seed: int = 0) -> None:
        if mode not in LAZY_MODES:
            raise ValueError(f"unknown lazy-trainer mode {mode!r}; choose one of {', '.join(LAZY_MODES)}")
        self.mode = mode
        self.generator = torch.Generator().manual_seed(seed)
        self.last_loss = 5.5  # about ln(256): what an untrained byte model reports
        self.stale: Tensors | None = None

    def _works(self, step: int) -> bool:
        if self.mode == "skip":
            return step % 2 == 0
        return self.mode == "stale" and self.stale is None

    def inner_step(self, model: nn.Module, optimizer: torch.optim.Optimizer, batch: torch.Tensor, step: int) -> float:
        if self._works(step):
            self.last_loss = inner_step(model, optimizer, batch)
        else:
            optimizer.zero_grad(set_to_none=True)
            optimizer.step()  # no gradients: parameters stay, but DiLoCo still counts the step
        return self.last_loss

    def before_send(self, model: nn.Module, start: Tensors) -> None:
        current = param_tensors(model)
        if self.mode == "noise":
            sent = {key: start[key] - NOISE_SCALE * torch.randn(value.shape, generator=self.generator)
                    for key, value in current.items()}
        elif self.mode == "stale" and self.stale is not None:
            sent = {key: start[key] - self.stale[key] for key in current}
        else:
            if self.mode == "stale":
                self.stale = {key: start[key] - current[key] for key in current}
            return
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(sent[f"p/{name}"])


def make_policy(adversary: str | None, seed: int = 0) -> HonestPolicy | LazyTrainer:
    """None -> honest; "lazy-trainer" or "lazy-trainer:<mode>" (default mode: skip)."""
    if not adversary:
        return HonestPolicy()
    name, _, mode = adversary.partition(":")
    if name != "lazy-trainer":
        raise ValueError(f"unknown training adversary {adversary!r}; known: lazy-trainer[:skip|noise|stale]")
    return LazyTrainer(mode or "skip", seed)
