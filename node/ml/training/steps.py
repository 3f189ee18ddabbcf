"""One inner step, the inner optimizer and determinism: shared by workers and validators, so a
re-execution runs exactly the worker's arithmetic."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

INNER_BETAS = (0.9, 0.95)  # INTELLECT-1's AdamW betas (reference training-inference.md §4)
INNER_WEIGHT_DECAY = 0.0
GRAD_CLIP = 1.0


def set_determinism(threads: int = 1) -> None:
    """One intra-op thread: identical results on every run and little contention on a shared CPU."""
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def inner_optimizer(model: nn.Module, lr: float) -> torch.optim.AdamW:
    return torch.optim.AdamW(model.parameters(), lr=lr, betas=INNER_BETAS, weight_decay=INNER_WEIGHT_DECAY)


def batch_loss(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy over (B, L + 1) token windows."""
    logits = model(input_ids=batch[:, :-1]).logits
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))


def inner_step(model: nn.Module, optimizer: torch.optim.Optimizer, batch: torch.Tensor) -> float:
    """Forward, backward, clip, step; the loss before the step."""
    optimizer.zero_grad(set_to_none=True)
    loss = batch_loss(model, batch)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
    optimizer.step()
    return float(loss.item())


@torch.no_grad()
def evaluate(model: nn.Module, batch: torch.Tensor) -> float:
    return float(batch_loss(model, batch).item())
