"""What a training task asks for, as the ML side reads it (the chain's TaskSpec, same field names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class TrainSpec:
    model: str = "tiny-llama"
    dataset: str = "kjv-pentateuch"
    inner_steps: int = 10  # H
    outer_steps: int = 5  # T
    min_workers: int = 1
    max_workers: int = 3
    batch_size: int = 8
    seq_len: int = 64
    seed: int = 0
    inner_lr_micro: int = 3000  # 3e-3
    segment_steps: int = 5  # validators re-execute segments this long

    @property
    def inner_lr(self) -> float:
        return self.inner_lr_micro / 1e6

    @property
    def segments(self) -> int:
        return self.inner_steps // self.segment_steps

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> TrainSpec:
        """From a chain query or a spec file; unknown keys are errors, missing ones take defaults."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown spec fields {sorted(unknown)}; known: {sorted(known)}")
        for name, value in values.items():
            expected = str if name in ("model", "dataset") else int
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ValueError(f"spec field {name!r} must be {expected.__name__}, got {value!r}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
