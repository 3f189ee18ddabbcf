"""PoW 2.0 model parameter sets (the reference's `Params`) and the acceptance radius.

Field names match the reference's parameter JSON (and the `params` object of the ML node's
`/pow/init*` request body) so a set can be passed around unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The radius the reference API node always sends; with vocab 8196 about 5 % of nonces land inside.
R_TARGET = 1.4013564660458173


@dataclass(frozen=True)
class PowParams:
    """Architecture of the seeded transformer; together with a block hash it fixes every weight."""

    dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int | None
    vocab_size: int
    ffn_dim_multiplier: float | None
    multiple_of: int
    norm_eps: float
    rope_theta: float
    use_scaled_rope: bool
    seq_len: int

    def __post_init__(self) -> None:
        for name in ("dim", "n_layers", "n_heads", "vocab_size", "multiple_of", "seq_len"):
            value = getattr(self, name)
            if not _is_positive_int(value):
                raise ValueError(f"PoW params: {name} must be a positive integer, got {value!r}")
        if self.n_kv_heads is not None and not _is_positive_int(self.n_kv_heads):
            raise ValueError(f"PoW params: n_kv_heads must be a positive integer or null, got {self.n_kv_heads!r}")
        if self.dim % self.n_heads:
            raise ValueError(f"PoW params: dim {self.dim} is not divisible by n_heads {self.n_heads}")
        if self.head_dim % 2:
            raise ValueError(f"PoW params: head_dim {self.head_dim} must be even (RoPE rotates pairs)")
        if self.n_heads % self.kv_heads:
            raise ValueError(f"PoW params: n_heads {self.n_heads} is not a multiple of n_kv_heads {self.kv_heads}")
        if self.vocab_size < 2:
            raise ValueError("PoW params: vocab_size must be at least 2")
        for name in ("norm_eps", "rope_theta"):
            value = getattr(self, name)
            if not _is_positive_number(value):
                raise ValueError(f"PoW params: {name} must be a positive number, got {value!r}")
        multiplier = self.ffn_dim_multiplier
        if multiplier is not None and not _is_positive_number(multiplier):
            raise ValueError(f"PoW params: ffn_dim_multiplier must be a positive number or null, got {multiplier!r}")
        if not isinstance(self.use_scaled_rope, bool):
            raise ValueError(f"PoW params: use_scaled_rope must be a boolean, got {self.use_scaled_rope!r}")
        if self.use_scaled_rope:
            # No reference parameter set uses llama3 RoPE scaling, so it is not implemented.
            raise ValueError("PoW params: use_scaled_rope=true is not supported")

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    @property
    def kv_heads(self) -> int:
        return self.n_heads if self.n_kv_heads is None else self.n_kv_heads

    @property
    def ffn_hidden_dim(self) -> int:
        """SwiGLU hidden size, computed as the reference's FeedForward does."""
        hidden = int(2 * (4 * self.dim) / 3)
        if self.ffn_dim_multiplier is not None:
            hidden = int(self.ffn_dim_multiplier * hidden)
        return self.multiple_of * ((hidden + self.multiple_of - 1) // self.multiple_of)

    @property
    def total_params(self) -> int:
        """Every parameter, the unused embedding table included (it sizes the weight pool)."""
        d, kv = self.dim, self.kv_heads * self.head_dim
        attention = d * d + 2 * kv * d + d * d
        layer = attention + 3 * d * self.ffn_hidden_dim + 2 * d
        return self.vocab_size * d + self.n_layers * layer + d + d * self.vocab_size

    @classmethod
    def named(cls, name: str) -> PowParams:
        try:
            return NAMED_PARAMS[name]
        except KeyError:
            raise ValueError(f"unknown PoW parameter set {name!r}; known: {', '.join(sorted(NAMED_PARAMS))}") from None

    @classmethod
    def from_dict(cls, data: Any) -> PowParams:
        if not isinstance(data, dict):
            raise ValueError(f"PoW params must be a JSON object, got {type(data).__name__}")
        fields = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(data) - set(fields))
        missing = [f for f in fields if f not in data]
        if unknown or missing:
            raise ValueError(f"PoW params: unknown fields {unknown}, missing fields {missing}")
        # JSON has no int/float distinction for whole numbers: accept 10 for a float field.
        values = {
            name: float(data[name]) if name in _FLOAT_FIELDS and _is_number(data[name]) else data[name]
            for name in fields
        }
        return cls(**values)

    @classmethod
    def from_json(cls, path: str | Path) -> PowParams:
        try:
            data = json.loads(Path(path).read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
        try:
            return cls.from_dict(data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    @classmethod
    def resolve(cls, name_or_path: str) -> PowParams:
        """A named set (`devnet`, `testnet`, `mainnet`) or a path to a JSON file."""
        if name_or_path in NAMED_PARAMS:
            return NAMED_PARAMS[name_or_path]
        if Path(name_or_path).is_file():
            return cls.from_json(name_or_path)
        known = ", ".join(sorted(NAMED_PARAMS))
        raise ValueError(f"{name_or_path!r} is neither a known parameter set ({known}) nor a file")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FLOAT_FIELDS = frozenset({"ffn_dim_multiplier", "norm_eps", "rope_theta"})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_positive_number(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value) and value > 0


NAMED_PARAMS: dict[str, PowParams] = {
    # The reference's PARAMS_V2, what the API node sends on mainnet (about 17.8 B parameters).
    "mainnet": PowParams(
        dim=1792, n_layers=64, n_heads=64, n_kv_heads=64, vocab_size=8196, ffn_dim_multiplier=10.0,
        multiple_of=8192, norm_eps=1e-5, rope_theta=10000.0, use_scaled_rope=False, seq_len=256,
    ),
    # The reference's PARAMS_V1 (about 3 B parameters).
    "testnet": PowParams(
        dim=1024, n_layers=32, n_heads=32, n_kv_heads=32, vocab_size=8196, ffn_dim_multiplier=10.0,
        multiple_of=2048, norm_eps=1e-5, rope_theta=10000.0, use_scaled_rope=False, seq_len=128,
    ),
    # Ours, for CPUs: the small model the reference's CPU timings use (6.3 M parameters without
    # the embedding table). vocab_size stays at 8196 so r_target still accepts about 5 %.
    "devnet": PowParams(
        dim=256, n_layers=4, n_heads=8, n_kv_heads=8, vocab_size=8196, ffn_dim_multiplier=1.3,
        multiple_of=256, norm_eps=1e-5, rope_theta=10000.0, use_scaled_rope=False, seq_len=32,
    ),
}
