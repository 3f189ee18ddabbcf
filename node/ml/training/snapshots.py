"""Training states as content-addressed artifacts.

A state is a flat dict of tensors: "p/<name>" for parameters, "o/<index>/<key>" for the inner
optimizer's per-parameter state. It is stored as safetensors bytes under the SHA-256 of those
bytes ("sha256:<hex>"), the hash the worker commits on chain; whoever holds the bytes can prove
they are the committed ones, so artifacts may come from anywhere (disk here, FetchArtifact
remotely).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
from torch import nn

Tensors = dict[str, torch.Tensor]


class ArtifactMissing(LookupError):
    pass


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def param_tensors(model: nn.Module) -> Tensors:
    return {f"p/{name}": p.detach().clone().contiguous() for name, p in model.named_parameters()}


def state_tensors(model: nn.Module, optimizer: torch.optim.Optimizer) -> Tensors:
    tensors = param_tensors(model)
    for index, state in optimizer.state_dict()["state"].items():
        for key, value in state.items():
            tensors[f"o/{index}/{key}"] = value.detach().clone().contiguous()
    return tensors


def params_of(tensors: Tensors) -> Tensors:
    return {key: value for key, value in tensors.items() if key.startswith("p/")}


def load_state(model: nn.Module, optimizer: torch.optim.Optimizer, tensors: Tensors) -> None:
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(tensors[f"p/{name}"])
    state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("o/"):
            _, index, name = key.split("/", 2)
            state.setdefault(int(index), {})[name] = value.clone()
    optimizer.load_state_dict({"state": state, "param_groups": optimizer.state_dict()["param_groups"]})


def encode(tensors: Tensors) -> bytes:
    return save_safetensors(tensors)


def params_hash(model: nn.Module) -> str:
    return digest(encode(param_tensors(model)))


def flat(tensors: Tensors) -> torch.Tensor:
    """The tensors in key order as one float64 vector (for distances)."""
    return torch.cat([tensors[key].reshape(-1).to(torch.float64) for key in sorted(tensors)])


class ArtifactStore:
    """A folder of artifacts named by their hash; `fetch` (e.g. from the worker's ML node) fills
    in what is missing, and what it returns must hash to what was asked for."""

    def __init__(self, directory: Path, fetch: Callable[[str], bytes] | None = None) -> None:
        self.directory = directory
        self.fetch = fetch
        directory.mkdir(parents=True, exist_ok=True)

    def path(self, artifact_hash: str) -> Path:
        return self.directory / artifact_hash.replace(":", "-")

    def put(self, tensors: Tensors) -> str:
        return self._write(encode(tensors))

    def _write(self, data: bytes) -> str:
        artifact_hash = digest(data)
        target = self.path(artifact_hash)
        if not target.exists():
            partial = target.with_suffix(".partial")
            partial.write_bytes(data)
            os.replace(partial, target)  # readers never see half a file
        return artifact_hash

    def read_bytes(self, artifact_hash: str) -> bytes:
        try:
            data = self.path(artifact_hash).read_bytes()
        except FileNotFoundError:
            if self.fetch is None:
                raise ArtifactMissing(f"artifact {artifact_hash} is not in {self.directory}") from None
            data = self.fetch(artifact_hash)
            if digest(data) != artifact_hash:
                raise ArtifactMissing(f"the artifact fetched for {artifact_hash} has another hash") from None
            self._write(data)
        if digest(data) != artifact_hash:
            raise ArtifactMissing(f"artifact {artifact_hash} in {self.directory} is corrupt")
        return data

    def get(self, artifact_hash: str) -> Tensors:
        return load_safetensors(self.read_bytes(artifact_hash))
