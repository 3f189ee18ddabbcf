"""DIR/network.json: what a local network consists of, so later commands (status, stop, start,
logs, fund, down) can find its processes, endpoints and keys.

Paths inside are relative to the network folder, so a folder can be moved or inspected as is.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MANIFEST_FILE = "network.json"
FORMAT_VERSION = 1


class ManifestError(Exception):
    """The folder holds no network, an unreadable one, or the named node does not exist."""


@dataclass
class NodeEntry:
    name: str  # "<participant>-<kind>", e.g. "p1-chain"
    kind: str  # process kind: "chain", "ml" or "api"
    participant: str
    ports: dict[str, int]  # listener -> port, e.g. {"p2p": 40001, "rpc": 40002}
    urls: dict[str, str]  # listener -> address, e.g. {"rpc": "127.0.0.1:40002"}
    url: str  # the endpoint clients use (for a chain node: its public gRPC service)
    config: str  # node config file
    log: str  # stdout+stderr of the process
    pid_file: str
    argv: list[str]  # the command after the Python interpreter, run from the network folder
    pid: int | None = None  # last started process (the pid file holds the same)


@dataclass
class AccountEntry:
    name: str
    address: str
    private_key: str  # hex; a devnet holds test keys only
    adversary: str = ""  # participants only: the adversary mode it runs, "" when honest


@dataclass
class Manifest:
    chain_id: str
    faucet: AccountEntry
    participants: list[AccountEntry]
    nodes: list[NodeEntry]
    created_ms: int
    model: str = ""  # the model a full network serves; "" for a chain-only network
    version: int = FORMAT_VERSION

    def node(self, name: str) -> NodeEntry:
        """A node by its full name ("p1-chain") or by participant name ("p1" = its chain node)."""
        for entry in self.nodes:
            if entry.name == name:
                return entry
        for entry in self.nodes:
            if entry.participant == name and entry.kind == "chain":
                return entry
        known = ", ".join(n.name for n in self.nodes)
        raise ManifestError(f"no node named {name!r} (nodes: {known})")

    def nodes_of(self, kind: str) -> list[NodeEntry]:
        return [n for n in self.nodes if n.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        if data.get("version") != FORMAT_VERSION:
            raise ManifestError(f"unsupported manifest version {data.get('version')!r} (expected {FORMAT_VERSION})")
        try:
            return cls(
                chain_id=data["chain_id"],
                faucet=AccountEntry(**data["faucet"]),
                participants=[AccountEntry(**p) for p in data["participants"]],
                nodes=[NodeEntry(**n) for n in data["nodes"]],
                created_ms=data["created_ms"],
                model=data.get("model", ""),
                version=data["version"],
            )
        except (KeyError, TypeError) as err:
            raise ManifestError(f"malformed manifest: {err}") from err


def manifest_path(directory: Path) -> Path:
    return directory / MANIFEST_FILE


def exists(directory: Path) -> bool:
    return manifest_path(directory).is_file()


def load(directory: Path) -> Manifest:
    path = manifest_path(directory)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ManifestError(f"no network in {directory} (no {MANIFEST_FILE}); start one with `gonka net up`") from None
    except (OSError, json.JSONDecodeError) as err:
        raise ManifestError(f"cannot read {path}: {err}") from err
    if not isinstance(data, dict):
        raise ManifestError(f"malformed manifest {path}: not a JSON object")
    return Manifest.from_dict(data)


def save(directory: Path, manifest: Manifest) -> None:
    """Write atomically (a reader, e.g. another `gonka net` command, never sees half a file),
    readable by the owner only since it holds the faucet's private key."""
    path = manifest_path(directory)
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(manifest.to_dict(), indent=2) + "\n")
    os.replace(tmp, path)
