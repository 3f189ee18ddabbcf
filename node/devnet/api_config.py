"""Files of one devnet api node: its TOML config (the layout node.api.config reads) and its
participant's account key."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import tomli_w

from node.core.keys import AccountKey
from node.devnet.chain_config import CONFIG_FILE  # every node kind names its config alike

KEY_FILE = "account_key.json"
DATA_DIR = "data"
API_ADVERSARIES = ("lazy-validator",)
# The reference test overrides' bandwidth limit: a laptop devnet's traffic is bursts of tests.
LIMIT_KB_PER_BLOCK = 43008


def write_account_key(path: Path, key: AccountKey) -> None:
    # The key signs the participant's txs: owner-only from the moment the file exists.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"address": key.address, "private_key": key.private_hex}, f, indent=2)


def write_api_config(
    folder: Path,
    *,
    name: str,
    key: AccountKey,
    model: str,
    chain_url: str,
    public_listen: str,
    public_url: str,
    ml_nodes: list[str],
    consensus_public_key: bytes,
    adversary: str = "",
) -> Path:
    """Write folder/config.toml and folder/account_key.json; paths are relative to the folder."""
    if adversary and adversary not in API_ADVERSARIES:
        raise ValueError(f"{adversary!r} is not an api node adversary mode")
    config: dict[str, Any] = {
        "name": name,
        "model": model,
        "adversary": adversary,
        "key": KEY_FILE,
        "data": DATA_DIR,
        "chain": {"url": chain_url},
        "public": {"listen": public_listen, "url": public_url, "limit_kb_per_block": LIMIT_KB_PER_BLOCK},
        "ml": {"nodes": ml_nodes},
        # a genesis host is registered already; a joining one registers with its chain node's key
        "register": {"consensus_public_key": consensus_public_key.hex()},
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_account_key(folder / KEY_FILE, key)
    path = folder / CONFIG_FILE
    path.write_text(tomli_w.dumps(config))
    return path
