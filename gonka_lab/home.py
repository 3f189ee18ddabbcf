"""Where a user's gonka state lives ($GONKA_HOME, default ~/.gonka): a file keyring,
client settings, and the default local devnet folder.

Layout:
    $GONKA_HOME/keyring/<name>.json   one account key per file (mode 0600)
    $GONKA_HOME/client.toml           client settings, e.g. `node = "127.0.0.1:26657"`
    $GONKA_HOME/devnet/               the local network, unless $GONKA_DEVNET_DIR says otherwise
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from node.core.keys import AccountKey
from node.devnet import manifest as devnet_manifest

HOME_ENV = "GONKA_HOME"
DEVNET_ENV = "GONKA_DEVNET_DIR"
SETTINGS_FILE = "client.toml"
# Names become file names: keep them to a portable, unambiguous alphabet.
_KEY_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


class HomeError(Exception):
    """A user-facing problem with the home folder, its settings or its keyring."""


def gonka_home(explicit: Path | None = None) -> Path:
    """--home wins, then $GONKA_HOME, then ~/.gonka."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ.get(HOME_ENV)
    return Path(env).expanduser() if env else Path.home() / ".gonka"


def devnet_dir(home: Path, explicit: Path | None = None) -> Path:
    """--dir wins, then $GONKA_DEVNET_DIR, then <home>/devnet."""
    if explicit is not None:
        return explicit.expanduser()
    env = os.environ.get(DEVNET_ENV)
    return Path(env).expanduser() if env else home / "devnet"


@dataclass(frozen=True)
class ClientSettings:
    node: str | None = None  # default chain node rpc address for tx/query commands


def load_settings(home: Path) -> ClientSettings:
    path = home / SETTINGS_FILE
    if not path.exists():
        return ClientSettings()
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise HomeError(f"cannot read {path}: {err}") from err
    node = data.get("node")
    if node is not None and not isinstance(node, str):
        raise HomeError(f"{path}: `node` must be a string like \"127.0.0.1:26657\"")
    return ClientSettings(node=node)


def default_node(home: Path) -> str:
    """The chain node for tx/query commands without --node: the client settings' node,
    else the first chain node of the local devnet."""
    settings = load_settings(home)
    if settings.node:
        return settings.node
    directory = devnet_dir(home)
    if devnet_manifest.exists(directory):
        chain_nodes = devnet_manifest.load(directory).nodes_of("chain")
        if chain_nodes:
            return chain_nodes[0].url
    raise HomeError(
        f"no chain node given: pass --node HOST:PORT, set `node` in {home / SETTINGS_FILE}, or start a devnet"
    )


@dataclass(frozen=True)
class KeyInfo:
    name: str
    address: str
    public_key: bytes  # 33-byte compressed secp256k1


class Keyring:
    """Account keys stored unencrypted, one JSON file per name, readable by the owner only.
    A devnet/lab keyring: protect the folder like an ssh key folder."""

    def __init__(self, home: Path) -> None:
        self.dir = home / "keyring"

    def _path(self, name: str) -> Path:
        if not _KEY_NAME.fullmatch(name):
            raise HomeError(
                f"invalid key name {name!r}: use 1-64 letters, digits, '_', '.' or '-' (not starting with '.' or '-')"
            )
        return self.dir / f"{name}.json"

    def add(self, name: str, private_hex: str | None = None) -> KeyInfo:
        """Create a new key, or store the given private key (hex) under `name`."""
        path = self._path(name)
        if path.exists():
            raise HomeError(f"key {name!r} already exists")
        try:
            key = AccountKey.from_private_hex(private_hex) if private_hex is not None else AccountKey.generate()
        except ValueError as err:
            raise HomeError(f"invalid private key: {err}") from err
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        record = {"name": name, "address": key.address, "private_key": key.private_hex}
        # O_EXCL: two concurrent adds of one name cannot overwrite each other; 0600 from birth.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(record, f, indent=2)
        return KeyInfo(name=name, address=key.address, public_key=key.public_key)

    def key(self, name: str) -> AccountKey:
        path = self._path(name)
        try:
            record = json.loads(path.read_text())
            return AccountKey.from_private_hex(record["private_key"])
        except FileNotFoundError:
            raise HomeError(f"no key named {name!r} in {self.dir}") from None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise HomeError(f"key file {path} is unreadable: {err}") from err

    def show(self, name: str) -> KeyInfo:
        key = self.key(name)
        return KeyInfo(name=name, address=key.address, public_key=key.public_key)

    def names(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob("*.json"))
