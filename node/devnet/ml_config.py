"""Files of one devnet ML node: its TOML config (the layout node.ml.config reads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from node.devnet.chain_config import CONFIG_FILE  # every node kind names its config alike

POW_ADVERSARIES = ("fake-pow",)
# Requests an ML node queues beyond the running one: a devnet burst (50 parallel requests over a
# handful of hosts) must queue, not bounce with RESOURCE_EXHAUSTED as at the ML node's default 8.
QUEUE_LIMIT = 64
INFERENCE_ADVERSARIES = ("wrong-model", "fake-logprobs")
TRAINING_ADVERSARIES = ("lazy-trainer",)  # its training workers skip inner steps (node/ml/training/adversary.py)


def write_ml_config(folder: Path, *, name: str, grpc_listen: str, model: str, adversary: str = "") -> Path:
    """Write folder/config.toml. Several ML nodes share a laptop's cores, so PoW and inference
    each get one thread; `adversary` is a PoW, an inference or a training adversary mode, or "".
    Training workers live under folder/training."""
    pow_table: dict[str, Any] = {"threads": 1}
    inference: dict[str, Any] = {"models": [model], "threads": 1}
    training: dict[str, Any] = {"home": "training"}
    if adversary in POW_ADVERSARIES:
        pow_table["adversary"] = adversary
    elif adversary in INFERENCE_ADVERSARIES:
        inference["adversary"] = adversary
    elif adversary in TRAINING_ADVERSARIES:
        training["adversary"] = adversary
    elif adversary:
        raise ValueError(f"{adversary!r} is not an ML node adversary mode")
    config = {"name": name, "grpc": {"listen": grpc_listen, "queue_limit": QUEUE_LIMIT}, "pow": pow_table,
              "inference": inference, "training": training}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_FILE
    path.write_text(tomli_w.dumps(config))
    return path
