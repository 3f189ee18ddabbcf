"""The training models: small Llamas (transformers) built from a config and a seed.

Every worker builds the same initial weights from the task seed, so nothing is downloaded and
no initial broadcast is needed. Byte-level vocabulary (256) to match data.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import LlamaConfig, LlamaForCausalLM

VOCAB_SIZE = 256


@dataclass(frozen=True)
class ModelSpec:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int = 512


# tests/unit/training/test_catalog.py keeps these ids equal to the chain's catalog.
MODELS: dict[str, ModelSpec] = {
    "tiny-llama": ModelSpec(hidden=64, layers=2, heads=4, intermediate=192),  # 140k params, ~16 ms/step here
    "small-llama": ModelSpec(hidden=128, layers=4, heads=4, intermediate=344),
}


class UnknownModel(ValueError):
    pass


def build_model(name: str, seed: int) -> LlamaForCausalLM:
    spec = MODELS.get(name)
    if spec is None:
        raise UnknownModel(f"unknown training model {name!r}; known: {', '.join(sorted(MODELS))}")
    config = LlamaConfig(
        vocab_size=VOCAB_SIZE,
        hidden_size=spec.hidden,
        intermediate_size=spec.intermediate,
        num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads,
        num_key_value_heads=spec.heads,
        max_position_embeddings=spec.max_positions,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    return LlamaForCausalLM(config)


def parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
