"""network.json: round trip, node lookup, malformed files."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from node.devnet import manifest as manifest_io
from node.devnet.manifest import AccountEntry, Manifest, ManifestError, NodeEntry


def _manifest() -> Manifest:
    nodes = [
        NodeEntry(
            name=f"{p}-chain", kind="chain", participant=p,
            ports={"p2p": 1000 + i, "rpc": 2000 + i},
            urls={"p2p": f"127.0.0.1:{1000 + i}", "rpc": f"127.0.0.1:{2000 + i}"},
            url=f"127.0.0.1:{2000 + i}", config=f"{p}/chain/config.toml", log=f"{p}/chain.log",
            pid_file=f"{p}/chain.pid", argv=["-m", "x"],
        )
        for i, p in enumerate(["p1", "p2"])
    ]
    return Manifest(
        chain_id="c", faucet=AccountEntry("faucet", "gonka1f", "aa"),
        participants=[AccountEntry("p1", "gonka1a", "bb"), AccountEntry("p2", "gonka1b", "cc")],
        nodes=nodes, created_ms=1,
    )


def test_round_trip_and_permissions(tmp_path: Path) -> None:
    original = _manifest()
    assert not manifest_io.exists(tmp_path)
    manifest_io.save(tmp_path, original)
    assert manifest_io.exists(tmp_path)
    assert manifest_io.load(tmp_path) == original
    assert stat.S_IMODE(manifest_io.manifest_path(tmp_path).stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["network.json"]  # no temp file left behind


def test_node_lookup() -> None:
    m = _manifest()
    assert m.node("p2-chain").url == "127.0.0.1:2001"
    assert m.node("p1").name == "p1-chain"
    assert [n.name for n in m.nodes_of("chain")] == ["p1-chain", "p2-chain"]
    assert m.nodes_of("api") == []
    with pytest.raises(ManifestError, match=r"no node named 'p3' \(nodes: p1-chain, p2-chain\)"):
        m.node("p3")


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no network in"):
        manifest_io.load(tmp_path)
    path = manifest_io.manifest_path(tmp_path)
    path.write_text("{broken")
    with pytest.raises(ManifestError, match="cannot read"):
        manifest_io.load(tmp_path)
    path.write_text("[]")
    with pytest.raises(ManifestError, match="not a JSON object"):
        manifest_io.load(tmp_path)
    data = _manifest().to_dict()
    path.write_text(json.dumps(data | {"version": 99}))
    with pytest.raises(ManifestError, match="unsupported manifest version 99"):
        manifest_io.load(tmp_path)
    del data["nodes"][0]["url"]
    path.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="malformed"):
        manifest_io.load(tmp_path)
