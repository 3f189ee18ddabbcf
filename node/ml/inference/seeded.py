"""Seeded devnet models: a Llama built from a config, with weights derived from (architecture, seed).

Weights come from PCG64 bit streams turned into uniform values with exact arithmetic, never from
torch's samplers, whose float kernels differ between CPU instruction sets: every machine gets
bit-identical tensors and therefore the same fingerprint. Scales follow a plain fan-in init,
except the output head, whose gain makes next-token distributions peaked (~3.3 nats of entropy
instead of a flat ~6.9): with flat logits an impostor model would look just like the real one to
the logprob-similarity check.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from node.ml.inference.fingerprint import fingerprint_tensors
from node.ml.inference.model_spec import ModelSpec
from node.ml.inference.tokenizer import DEVNET_VOCAB_SIZE, build_devnet_tokenizer

# 11.4M parameters; trains and generates on one CPU core (reference: training-inference.md §9).
_ARCHITECTURES: dict[str, dict[str, Any]] = {
    "llama-10m": dict(
        hidden_size=384,
        intermediate_size=1024,
        num_hidden_layers=6,
        num_attention_heads=6,
        num_key_value_heads=6,
        max_position_embeddings=1024,
    ),
}
LOGIT_GAIN = 3.0


def seeded_config(architecture: str) -> LlamaConfig:
    tokenizer = build_devnet_tokenizer()
    return LlamaConfig(
        vocab_size=DEVNET_VOCAB_SIZE,
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **_ARCHITECTURES[architecture],
    )


def seeded_weights(spec: ModelSpec) -> dict[str, torch.Tensor]:
    """The checkpoint tensors of a seeded model, keyed like LlamaForCausalLM's state dict."""
    assert spec.architecture is not None and spec.seed is not None, spec
    with torch.device("meta"):
        shapes = {
            name: tuple(p.shape) for name, p in LlamaForCausalLM(seeded_config(spec.architecture)).named_parameters()
        }
    return {name: _uniform(f"{spec.id}/{name}", shape, _std(name, shape)) for name, shape in sorted(shapes.items())}


def seeded_fingerprint(spec: ModelSpec) -> str:
    return fingerprint_tensors(seeded_weights(spec))


def build_seeded(spec: ModelSpec) -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast, str]:
    """The model (fp32, CPU, eval mode), its tokenizer and its fingerprint."""
    weights = seeded_weights(spec)
    model = LlamaForCausalLM(seeded_config(spec.architecture or ""))
    model.load_state_dict(weights, strict=True)
    return model.eval(), build_devnet_tokenizer(), fingerprint_tensors(weights)


def materialize(spec: ModelSpec, directory: Path) -> Path:
    """Write the seeded model as a Hugging Face directory (for vLLM, or to share it as files)."""
    model, tokenizer, _ = build_seeded(spec)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory


def _std(name: str, shape: tuple[int, ...]) -> float:
    if len(shape) == 1:
        return 0.0  # norm gains: constant 1, see _uniform
    if name.endswith("embed_tokens.weight"):
        return 1.0
    gain = LOGIT_GAIN if name.startswith("lm_head") else 1.0
    return gain / math.sqrt(shape[1])


def _uniform(label: str, shape: tuple[int, ...], std: float) -> torch.Tensor:
    if std == 0.0:
        return torch.ones(shape)
    seed = int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "little")
    raw = np.random.PCG64(seed).random_raw(math.prod(shape))
    # Top 24 bits -> u in [0, 1) exactly; (2u - 1) * bound is one rounding in float64, then one to
    # float32: IEEE-exact on every platform. U(-b, b) has std b / sqrt(3).
    unit = (raw >> np.uint64(40)).astype(np.float64) * 2.0**-24
    values = ((2.0 * unit - 1.0) * (std * math.sqrt(3.0))).astype(np.float32)
    return torch.from_numpy(values.reshape(shape))
