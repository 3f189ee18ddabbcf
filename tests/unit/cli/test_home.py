"""GONKA_HOME resolution, client settings and the file keyring."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gonka_lab.home import (
    DEVNET_ENV,
    HOME_ENV,
    HomeError,
    Keyring,
    default_node,
    devnet_dir,
    gonka_home,
    load_settings,
)
from node.core.keys import AccountKey
from node.devnet.network import Devnet

KNOWN_PRIVATE = "11" * 32


def test_home_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HOME_ENV, raising=False)
    assert gonka_home() == Path.home() / ".gonka"
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "env"))
    assert gonka_home() == tmp_path / "env"
    assert gonka_home(tmp_path / "flag") == tmp_path / "flag"


def test_devnet_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEVNET_ENV, raising=False)
    assert devnet_dir(tmp_path) == tmp_path / "devnet"
    monkeypatch.setenv(DEVNET_ENV, str(tmp_path / "env-net"))
    assert devnet_dir(tmp_path) == tmp_path / "env-net"
    assert devnet_dir(tmp_path, tmp_path / "flag-net") == tmp_path / "flag-net"


def test_settings(tmp_path: Path) -> None:
    assert load_settings(tmp_path).node is None
    (tmp_path / "client.toml").write_text('node = "127.0.0.1:1234"\n')
    assert load_settings(tmp_path).node == "127.0.0.1:1234"
    (tmp_path / "client.toml").write_text("node = 5\n")
    with pytest.raises(HomeError, match="must be a string"):
        load_settings(tmp_path)
    (tmp_path / "client.toml").write_text("node = \n")
    with pytest.raises(HomeError, match="cannot read"):
        load_settings(tmp_path)


def test_default_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEVNET_ENV, raising=False)
    with pytest.raises(HomeError, match="no chain node given"):
        default_node(tmp_path)
    net = Devnet.create(tmp_path / "devnet", participants=2)
    assert default_node(tmp_path) == net.manifest.nodes[0].url
    (tmp_path / "client.toml").write_text('node = "10.0.0.1:9090"\n')
    assert default_node(tmp_path) == "10.0.0.1:9090"


def test_keyring_add_show_list(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path)
    assert keyring.names() == []
    alice = keyring.add("alice")
    bob = keyring.add("bob", KNOWN_PRIVATE)
    assert bob.address == AccountKey.from_private_hex(KNOWN_PRIVATE).address
    assert keyring.names() == ["alice", "bob"]
    assert keyring.show("alice") == alice
    assert keyring.key("bob").private_hex == KNOWN_PRIVATE
    assert alice.address != bob.address
    # Secrets are readable by the owner only.
    assert stat.S_IMODE((keyring.dir / "alice.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(keyring.dir.stat().st_mode) == 0o700


def test_keyring_rejects_bad_input(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path)
    keyring.add("alice")
    before = (keyring.dir / "alice.json").read_text()
    with pytest.raises(HomeError, match="already exists"):
        keyring.add("alice")
    assert (keyring.dir / "alice.json").read_text() == before
    for bad_name in ("", "../x", ".hidden", "a/b", "x" * 65):
        with pytest.raises(HomeError, match="invalid key name"):
            keyring.add(bad_name)
    for bad_key in ("zz" * 32, "11" * 31, "00" * 32):
        with pytest.raises(HomeError, match="invalid private key"):
            keyring.add("carol", bad_key)
    assert keyring.names() == ["alice"]
    with pytest.raises(HomeError, match="no key named 'nobody'"):
        keyring.key("nobody")


def test_keyring_reports_corrupt_file(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path)
    keyring.add("alice")
    (keyring.dir / "alice.json").write_text("{not json")
    with pytest.raises(HomeError, match="unreadable"):
        keyring.key("alice")
