"""User commands that need no running network: keys, argument checks, error reporting."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gonka_lab.cli import main
from node.core.keys import AccountKey
from node.devnet.ports import free_ports

KNOWN_PRIVATE = "22" * 32


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def home(tmp_path: Path) -> str:
    return str(tmp_path / "home")


def test_keys_round_trip(home: str) -> None:
    added = run("keys", "add", "alice", "--home", home, "--json")
    assert added.exit_code == 0, added.output
    alice = json.loads(added.stdout)
    recovered = json.loads(run("keys", "add", "bob", "--recover", "-", "--home", home, "--json",
                               input=KNOWN_PRIVATE + "\n").stdout)
    bob_key = AccountKey.from_private_hex(KNOWN_PRIVATE)
    assert recovered["address"] == bob_key.address
    assert recovered["public_key_hex"] == bob_key.public_key.hex()
    assert base64.b64decode(recovered["public_key_base64"]) == bob_key.public_key

    listed = json.loads(run("keys", "list", "--home", home, "--json").stdout)
    assert [(k["name"], k["address"]) for k in listed["keys"]] == [("alice", alice["address"]), ("bob", bob_key.address)]
    assert json.loads(run("keys", "show", "alice", "--home", home, "--json").stdout) == alice

    exported = run("keys", "export", "bob", "--home", home)
    assert exported.exit_code == 0
    assert exported.stdout.strip() == KNOWN_PRIVATE
    assert "WARNING" in exported.stderr

    human = run("keys", "list", "--home", home)
    assert "alice" in human.stdout and bob_key.address in human.stdout


def test_keys_errors_are_clean(home: str) -> None:
    run("keys", "add", "alice", "--home", home)
    dup = run("keys", "add", "alice", "--home", home, "--json")
    assert dup.exit_code == 1
    assert json.loads(dup.stdout) == {"error": "key 'alice' already exists"}
    assert "already exists" in dup.stderr
    bad = run("keys", "add", "carol", "--recover", "xyz", "--home", home)
    assert bad.exit_code == 1 and "invalid private key" in bad.stderr and bad.stdout == ""
    missing = run("keys", "show", "nobody", "--home", home)
    assert missing.exit_code == 1 and "no key named 'nobody'" in missing.stderr


def test_home_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONKA_HOME", str(tmp_path / "env-home"))
    assert run("keys", "add", "zed").exit_code == 0
    assert (tmp_path / "env-home" / "keyring" / "zed.json").is_file()


def test_tx_and_query_input_checks(home: str) -> None:
    run("keys", "add", "alice", "--home", home)
    node = "127.0.0.1:1"
    cases = [
        (("tx", "send", "alice", "gonka1notanaddress", "5", "--node", node), "bech32"),
        (("tx", "send", "nobody", AccountKey.generate().address, "5", "--node", node), "no key named"),
        (("query", "balance", "cosmos1xyz", "--node", node), "bech32"),
        (("query", "tx", "ABC", "--node", node), "64 hex characters"),
        (("query", "block", "--node", "not a url"), "HOST:PORT"),
    ]
    for args, message in cases:
        result = run(*args, "--home", home, "--json")
        assert result.exit_code == 1, (args, result.output)
        assert message in json.loads(result.stdout)["error"], (args, result.stdout)
        assert message in result.stderr
    zero = run("tx", "send", "alice", AccountKey.generate().address, "0", "--node", node, "--home", home)
    assert zero.exit_code == 2  # click's usage error for an out-of-range amount


def test_unreachable_node_is_a_clear_error(home: str) -> None:
    (port,) = free_ports(1)  # nothing listens there
    result = run("query", "params", "--node", f"127.0.0.1:{port}", "--home", home, "--json")
    assert result.exit_code == 1
    assert "unreachable" in json.loads(result.stdout)["error"]


def test_no_node_configured(home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GONKA_DEVNET_DIR", raising=False)
    result = run("query", "epoch", "--home", home)
    assert result.exit_code == 1 and "no chain node given" in result.stderr


def test_net_commands_without_network(tmp_path: Path, home: str) -> None:
    net_dir = str(tmp_path / "nothing")
    for args in (("status",), ("down",), ("stop", "p1"), ("logs", "p1"), ("fund", AccountKey.generate().address, "1")):
        result = run("net", *args, "--dir", net_dir, "--home", home, "--json")
        assert result.exit_code == 1, args
        assert "no network in" in json.loads(result.stdout)["error"]


def test_net_up_rejects_bad_options(tmp_path: Path, home: str) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "precious.txt").write_text("keep me")
    result = run("net", "up", "--dir", str(occupied), "--home", home, "--json")
    assert result.exit_code == 1 and "not empty" in result.stderr
    assert (occupied / "precious.txt").read_text() == "keep me"
    result = run("net", "up", "--adversary", "p9=fake-pow", "--dir", str(tmp_path / "x"), "--home", home)
    assert result.exit_code == 1 and "no participant 'p9'" in result.stderr
    assert not (tmp_path / "x" / "network.json").exists()
    assert run("net", "up", "--participants", "0", "--dir", str(tmp_path / "y"), "--home", home).exit_code == 2
