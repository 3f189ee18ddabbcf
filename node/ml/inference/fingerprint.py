"""A model's fingerprint: SHA-256 over its checkpoint tensors, in name order.

Each tensor contributes its name, dtype, shape and raw bytes, so the fingerprint names the
checkpoint (not the dtype a backend casts it to at run time). A seeded model hashes the tensors it
generates; a directory hashes its safetensors files; the two agree for a materialized seeded model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from pathlib import Path

import torch
from safetensors import safe_open

from node.ml.inference.errors import ModelLoadError


def fingerprint_tensors(tensors: Mapping[str, torch.Tensor]) -> str:
    return _digest((name, tensors[name]) for name in sorted(tensors))


def fingerprint_directory(path: Path) -> str:
    """Hash every tensor of the directory's *.safetensors files, one tensor in memory at a time."""
    files = sorted(path.glob("*.safetensors"))
    if not files:
        raise ModelLoadError(f"{path}: no *.safetensors weights (other checkpoint formats are not supported)")
    with ExitStack() as stack:
        handles = [stack.enter_context(safe_open(str(f), framework="pt")) for f in files]
        owner = {name: handle for handle in handles for name in handle.keys()}
        return _digest((name, owner[name].get_tensor(name)) for name in sorted(owner))


def _digest(named: Iterable[tuple[str, torch.Tensor]]) -> str:
    hasher = hashlib.sha256()
    for name, tensor in named:
        hasher.update(f"{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        # Viewing as bytes works for every dtype (numpy has no bfloat16).
        hasher.update(memoryview(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy()))
    return "sha256:" + hasher.hexdigest()
