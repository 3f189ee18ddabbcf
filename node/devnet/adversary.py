"""Switch a running full-network participant to an adversary mode (or back to honest).

The mode lives in the config of the node that runs it (the ML node for PoW, inference and training cheats,
the api node for a lazy validator); switching rewrites that config and restarts the node, which
keeps its data, so the chain sees the same host start (or stop) cheating."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

from node.devnet import manifest as manifest_io
from node.devnet.api_config import API_ADVERSARIES
from node.devnet.ml_config import INFERENCE_ADVERSARIES, POW_ADVERSARIES, TRAINING_ADVERSARIES
from node.devnet.network import Devnet, DevnetError
from node.devnet.participant import ADVERSARY_MODES

Change = Callable[[dict[str, Any], str], dict[str, Any]]


def _ml_config(config: dict[str, Any], mode: str) -> dict[str, Any]:
    for table in ("pow", "inference", "training"):
        config.setdefault(table, {}).pop("adversary", None)
    if mode in POW_ADVERSARIES:
        config["pow"]["adversary"] = mode
    elif mode in INFERENCE_ADVERSARIES:
        config["inference"]["adversary"] = mode
    elif mode in TRAINING_ADVERSARIES:
        config["training"]["adversary"] = mode
    return config


def _api_config(config: dict[str, Any], mode: str) -> dict[str, Any]:
    config["adversary"] = mode if mode in API_ADVERSARIES else ""
    return config


def _rewrite(path: Path, change: Change, mode: str) -> bool:
    """Apply `change` to the TOML file; True if its content changed."""
    before = tomllib.loads(path.read_text())
    after = change(tomllib.loads(path.read_text()), mode)
    if after == before:
        return False
    path.write_text(tomli_w.dumps(after))
    return True


def is_full(net: Devnet) -> bool:
    """Whether the network runs ml and api nodes, which adversary modes need."""
    return any(n.kind in ("ml", "api") for n in net.manifest.nodes)


def set_adversary(net: Devnet, name: str, mode: str, timeout_s: float) -> list[str]:
    """Switch participant `name` to `mode` ("" for honest); the names of the restarted nodes."""
    if mode and mode not in ADVERSARY_MODES:
        raise DevnetError(f"unknown adversary mode {mode!r}; choose one of {', '.join(ADVERSARY_MODES)}")
    host = next((p for p in net.manifest.participants if p.name == name), None)
    if host is None:
        raise DevnetError(f"no participant {name!r} (participants: {', '.join(p.name for p in net.manifest.participants)})")
    restarted = []
    for kind, change in (("ml", _ml_config), ("api", _api_config)):
        node = next((n for n in net.manifest.nodes if n.participant == name and n.kind == kind), None)
        if node is None:
            raise DevnetError("adversaries need a full network (`gonka net up --only all`)")
        if _rewrite(net.dir / node.config, change, mode):
            net.stop(node.name)
            net.start(node.name, timeout_s=timeout_s)
            restarted.append(node.name)
    host.adversary = mode
    manifest_io.save(net.dir, net.manifest)
    return restarted
