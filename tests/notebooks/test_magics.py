"""The %gonka magics in a real IPython shell against a real 3-participant network (chain, ML and
api nodes): every subcommand returns an object for code, and failures are one line."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from gonka_lab.ledger import Ledger
from node.chain.client import ChainClient, ChainError
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ip(cockpit_network: Devnet, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InteractiveShell]:
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "gonka_lab")
    session = shell.magics_manager.registry["GonkaMagics"].session
    session.home = tmp_path_factory.mktemp("magics-home")
    assert shell.run_line_magic("gonka", f"connect {cockpit_network.dir}")["height"] > 0
    yield shell


def _infer(ip: InteractiveShell, line: str, timeout_s: float = 120.0) -> Any:
    """`%gonka infer`, again while a PoC stage refuses inference (it prints why), up to a deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = ip.run_line_magic("gonka", line)
        if answer is not None:
            return answer
        time.sleep(2)  # the PoC stage lasts a few blocks
    raise AssertionError(f"no inference answered within {timeout_s:.0f} s")


def test_status_and_epoch(ip: InteractiveShell) -> None:
    view = ip.run_line_magic("gonka", "status --watch 5 --every 0.5")
    assert list(view.frame["name"]) == ["p1", "p2", "p3"]
    assert {"weight", "voting_power", "reputation", "status", "phase", "height"} <= set(view.frame.columns)
    first = int(view.frame["height"].max())
    assert view.refresher.join(30)  # it refreshed in the background, then stopped at its deadline
    assert view.refresher.error is None and int(view.frame["height"].max()) > first
    epoch = ip.run_line_magic("gonka", "epoch")
    assert epoch.epoch["epoch_index"] >= 0 and "next PoC" in epoch.timeline.widget.value


def test_account_infer_and_ledger(ip: InteractiveShell, tmp_path: Path) -> None:
    account = ip.run_line_magic("gonka", "account create magic-dev")
    assert account["balance"] > 0
    answer = _infer(ip, 'infer "Say hello" --max-tokens 8 --timeout 30')
    assert answer.id and answer.content and answer.view.tokens.value == answer.content
    assert answer.wait(90, statuses=("VALIDATED", "INVALIDATED", "FINISHED")) in ("VALIDATED", "FINISHED")
    progress = ip.run_line_magic("gonka", f"ledger sync --db {tmp_path / 'l.duckdb'}")
    assert progress.height == progress.target > 0
    frame = ip.run_cell_magic("gonka", f"sql --db {tmp_path / 'l.duckdb'}",
                              f"SELECT inference_id FROM inferences WHERE inference_id = '{answer.id}'")
    assert len(frame) == 1


def test_sprint_reports_nonces_and_weights(ip: InteractiveShell) -> None:
    result = ip.run_line_magic("gonka", "sprint --timeout 240")
    # the view was refreshed while the sprint ran, with nonces tried per participant
    heights = [height for height, _ in result.updates]
    assert len(heights) >= 2 and heights == sorted(heights), heights
    assert any(frame["nonces_tried"].sum() > 0 for _, frame in result.updates), result.updates
    # on a loaded machine a host can miss a sprint: require the sprint to have happened, not every host in it
    assert (result.progress["valid_nonces"] > 0).any(), result.progress
    assert (result.progress["nonces_tried"] >= result.progress["valid_nonces"]).all(), result.progress
    assert (result.weights["weight"] > 0).any(), result.weights


def test_network_errors_are_one_line(ip: InteractiveShell) -> None:
    with capture_output() as out:
        assert ip.run_line_magic("gonka", "net stop p9-api") is None
        assert ip.run_line_magic("gonka", "adversary p9 wrong-model") is None
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2 and "no node named 'p9-api'" in lines[0] and "no participant 'p9'" in lines[1], out.stderr


def _disagreement(ledger: Ledger, client: ChainClient) -> str | None:
    """What the ledger and the chain's own records disagree on (None: nothing). The chain prunes
    inference records after two epochs and the ledger keeps them: those it still holds must match.
    Inferences per epoch are compared with those the chain files under each epoch, not with its
    settlement summaries: an inference that finishes after its epoch's settlement is filed under
    that epoch, and its work is settled with the next one."""
    chained = {i["inference_id"]: i for i in client.query("inferences", limit=1000)["inferences"]}
    rows = ledger.sql("SELECT inference_id, status FROM inferences")
    statuses = dict(zip(rows["inference_id"], rows["status"], strict=True))
    if any(statuses.get(i) != record["status"] for i, record in chained.items()):
        return f"inference statuses: chain {[(i, r['status']) for i, r in chained.items()]}, ledger {statuses}"
    listed = ledger.sql("SELECT inference_id, validator, height FROM validations")
    stored = set(zip(listed["inference_id"], listed["validator"], listed["height"], strict=True))
    for inference_id in chained:
        records = client.query("validations", inference_id=inference_id)["validations"]
        # a failing validation is also filed as its sender's invalidation vote: one (validator, height)
        sent = {(inference_id, v["validator"], v["height"]) for v in records}
        if {key for key in stored if key[0] == inference_id} != sent:
            return f"validations of {inference_id}: chain {sorted(sent)}"
    supply = client.query("supply")
    moved = ledger.sql("SELECT kind, sum(amount)::BIGINT AS total FROM rewards GROUP BY kind")
    totals = dict(zip(moved["kind"], moved["total"], strict=True))
    if (totals.get("mint", 0), totals.get("burn", 0)) != (supply["minted"], supply["burned"]):
        return f"minted/burned: ledger {totals}, chain {supply}"
    weights = ledger.sql("SELECT epoch, address FROM participants_by_epoch WHERE voting_power > 0")
    for epoch in range(1, client.query("epoch")["epoch_index"] + 1):
        try:
            members = {m["address"] for m in client.query("epoch_group", epoch=epoch)["members"]}
        except ChainError as error:  # this epoch's group is not formed yet
            assert error.code == grpc.StatusCode.NOT_FOUND, error
            members = set()
        if set(weights[weights["epoch"] == epoch]["address"]) != members:
            return f"members of epoch {epoch}: chain {sorted(members)}"
    finished = ledger.sql("SELECT epoch, inference_id FROM inferences WHERE finished_height IS NOT NULL")
    for epoch in range(client.query("epoch")["epoch_index"] + 1):
        completed = {i["inference_id"] for i in client.query("inferences", epoch=epoch, limit=1000)["inferences"]}
        if completed and set(finished[finished["epoch"] == epoch]["inference_id"]) != completed:
            return f"inferences completed in epoch {epoch}: chain {sorted(completed)}"
    settled = ledger.sql("SELECT epoch, address, work_coins, reward_coins FROM settlements")
    hosts = ledger.sql("SELECT DISTINCT address FROM participants_by_epoch")["address"]
    summaries = [s for address in hosts for s in client.query("settlement", address=address)["epochs"]]
    paid = {(s["epoch_index"], s["participant"]): (s["work_coins"], s["reward_coins"])
            for s in summaries if not s["forfeited"] and s["work_coins"] + s["reward_coins"]}
    if {(r.epoch, r.address): (r.work_coins, r.reward_coins) for r in settled.itertuples()} != paid:
        return f"settlements: chain {paid}"
    return None


def test_the_ledger_agrees_with_the_chain_after_several_epochs(
    ip: InteractiveShell, cockpit_network: Devnet, tmp_path: Path
) -> None:
    db = tmp_path / "ledger.duckdb"
    with cockpit_network.client() as client:
        # past the PoCs that formed the groups of epochs 1 and 2, and a settlement
        assert wait_for(lambda: client.query("epoch")["epoch_index"] >= 3, 400, 1.0), client.query("epoch")
        # the chain moves on while the two are read: compare until a quiet moment, with a deadline
        disagreement: str | None = "not compared yet"
        deadline = time.monotonic() + 120
        while disagreement is not None and time.monotonic() < deadline:
            assert ip.run_line_magic("gonka", f"ledger sync --db {db}") is not None
            disagreement = _disagreement(Ledger(db, read_only=True), client)
        assert disagreement is None, disagreement
    ledger = Ledger(db, read_only=True)
    assert len(ledger.views.tokens_served) > 0 and ledger.sql(
        "SELECT count(DISTINCT epoch) AS n FROM settlements")["n"][0] >= 1
    assert ledger.sql("SELECT count(DISTINCT epoch) AS n FROM participants_by_epoch")["n"][0] >= 2


def test_net_subcommands_return_objects(ip: InteractiveShell, cockpit_network: Devnet,
                                        tmp_path: Path) -> None:
    status = ip.run_line_magic("gonka", "net status")
    assert status.nodes.set_index("name").loc["p2-api", "running"] and len(status.participants) == 3
    assert ip.run_line_magic("gonka", "net stop p2-api") is True
    assert ip.run_line_magic("gonka", "net start p2-api") == "p2-api"
    assert ip.run_line_magic("gonka", "net status").nodes["running"].all()
    # a second, chain-only network of its own: up and down --purge, then back to the shared one
    other = tmp_path / "other"
    try:
        up = ip.run_line_magic("gonka", f"net up -n 1 --only chain --dir {other}")
        assert up.dir == other and up.nodes["running"].all() and list(up.nodes["kind"]) == ["chain"]
        assert ip.run_line_magic("gonka", "net down --purge") == ["p1-chain"] and not other.exists()
    finally:
        if other.exists():
            Devnet.open(other).down(purge=True)
        assert ip.run_line_magic("gonka", f"connect {cockpit_network.dir}") is not None
