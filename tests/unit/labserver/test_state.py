"""LabState without HTTP: what a URL connects to, snapshots of a network that does not answer,
and the refusals of node actions. (Live networks are covered by tests/ui.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from gonka_lab.labserver.state import Connection, LabError, LabState, resolve
from node.devnet.network import Devnet
from node.devnet.ports import free_ports


def test_empty_url_finds_the_devnet_or_says_where_it_looked(devnet_env: Path) -> None:
    with pytest.raises(LabError, match=f"no devnet found in {devnet_env}") as err:
        resolve("")
    assert err.value.status == 404
    Devnet.create(devnet_env, participants=1)
    assert resolve("  ") == Connection("devnet", str(devnet_env))


def test_a_node_url_or_folder_of_the_devnet_selects_the_devnet(stopped_devnet: Devnet) -> None:
    chain_url = stopped_devnet.manifest.nodes[1].url
    assert resolve(chain_url) == Connection("devnet", str(stopped_devnet.dir))
    assert resolve(f"grpc://{chain_url}") == Connection("devnet", str(stopped_devnet.dir))
    assert resolve(str(stopped_devnet.dir)) == Connection("devnet", str(stopped_devnet.dir.resolve()))


def test_other_urls_are_chain_nodes_and_garbage_is_refused(devnet_env: Path) -> None:
    assert resolve("http://127.0.0.1:9090/") == Connection("chain", "127.0.0.1:9090")
    with pytest.raises(LabError, match="HOST:PORT") as err:
        resolve("not a url")
    assert err.value.status == 400


def test_not_connected_snapshot_reports_discovery(devnet_env: Path) -> None:
    lab = LabState()
    assert lab.snapshot() == {"connected": False, "discovered": None, "search_dir": str(devnet_env)}
    Devnet.create(devnet_env, participants=1)
    assert lab.snapshot()["discovered"] == str(devnet_env)


def test_a_stopped_devnet_shows_every_participant_down_and_the_network_down(stopped_devnet: Devnet) -> None:
    lab = LabState()
    lab.connect("")
    snap = lab.snapshot()
    assert snap["connected"] and snap["actions"]
    assert snap["error"].startswith("network down") and "3 of 3 stopped" in snap["error"]
    assert snap["nodes_up"] == 0 and snap["nodes_total"] == 3
    assert [(r["name"], r["status"]) for r in snap["participants"]] == [("p1", "down"), ("p2", "down"), ("p3", "down")]
    assert {r["address"] for r in snap["participants"]} == {p.address for p in stopped_devnet.manifest.participants}
    assert snap["adversary_switch"]["available"] is False and snap["adversary_switch"]["reason"]


def test_a_vanished_devnet_is_an_error_in_the_snapshot(stopped_devnet: Devnet) -> None:
    lab = LabState()
    lab.connect("")
    stopped_devnet.down(purge=True)
    assert "devnet gone" in lab.snapshot()["error"]


def test_an_unreachable_chain_node_is_an_error_in_the_snapshot(devnet_env: Path) -> None:
    lab = LabState()
    port = free_ports(1)[0]  # nothing listens there
    lab.connect(f"127.0.0.1:{port}")
    snap = lab.snapshot()
    assert snap["connection"] == {"kind": "chain", "target": f"127.0.0.1:{port}"}
    assert "unreachable" in snap["error"] and not snap["actions"]
    lab.disconnect()
    assert lab.snapshot()["connected"] is False


def test_node_actions_need_a_devnet_and_a_known_node(stopped_devnet: Devnet) -> None:
    lab = LabState()
    with pytest.raises(LabError, match="local devnet") as err:
        lab.stop_node("p1")
    assert err.value.status == 409
    lab.connect("")
    with pytest.raises(LabError, match="no node named 'p9'") as err:
        lab.logs("p9")
    assert err.value.status == 404
    with pytest.raises(LabError, match="lines must be between"):
        lab.logs("p1", 0)
    assert lab.stop_node("p1") == {"node": "p1-chain", "was_running": False}
    (stopped_devnet.dir / "p1" / "chain.log").write_text("one\ntwo\nthree\n")
    logs = lab.logs("p1", 2)
    assert logs["node"] == "p1-chain" and logs["lines"] == ["two", "three"]
