"""The sidebar's data shaping, fed with answers as the chain's queries and `Devnet.status()` give them."""

from __future__ import annotations

from typing import Any

import pytest

from gonka_lab.labserver import views

# The `epoch` query at height 668 of a devnet (epoch 17, PoC at 660), as recorded.
STAGES = {
    "poc_start": 660,
    "poc_generation_wind_down": 663,
    "poc_generation_end": 664,
    "poc_validation_start": 665,
    "poc_validation_wind_down": 668,
    "poc_validation_end": 669,
    "set_new_validators": 670,
    "claim_money": 671,
    "inference_validation_cutoff": 698,
    "next_poc_start": 700,
    "batch_window": {"start": 661, "end": 666},
    "validation_window": {"start": 666, "end": 669},
}


def epoch_at(height: int, phase: str) -> dict[str, Any]:
    return {
        "height": height,
        "epoch_index": 17,
        "effective_epoch_index": 16,
        "poc_start_height": 660,
        "phase": phase,
        "next_poc_start_height": 700,
        "stages": STAGES,
    }


GENESIS_EPOCH = {
    "height": 5,
    "epoch_index": 0,
    "effective_epoch_index": 0,
    "poc_start_height": None,
    "phase": "Inference",
    "next_poc_start_height": 20,
    "stages": None,
}


def chain_row(name: str, running: bool = True, height: int | None = 10, catching_up: bool = False) -> dict[str, Any]:
    return {"name": f"{name}-chain", "kind": "chain", "participant": name, "running": running,
            "url": f"127.0.0.1:{9000 + int(name[1:])}", "height": height if running else None,
            "catching_up": catching_up if running else None}


def host(address: str, weight: int = 10) -> dict[str, Any]:
    return {"address": address, "kind": "PARTICIPANT_KIND_HOST", "weight": weight, "voting_power": weight,
            "reputation": 53, "status": "RAMPING"}


def test_epoch_view_places_stage_and_progress() -> None:
    view = views.epoch_view(epoch_at(668, "PoCValidateWindDown"))
    assert view["index"] == 17 and view["effective_index"] == 16
    assert view["stage"] == "poc_validation_wind_down"  # the last boundary at or below the height
    assert view["start_height"] == 660 and view["next_poc_start_height"] == 700
    assert view["progress"] == pytest.approx(8 / 40)
    assert [m["name"] for m in view["marks"]] == list(views.STAGE_ORDER)
    assert view["marks"][0]["at"] == 0.0 and view["marks"][-1]["at"] == pytest.approx(38 / 40)


def test_epoch_zero_runs_from_genesis_to_the_first_poc() -> None:
    view = views.epoch_view(GENESIS_EPOCH)
    assert view["stage"] == "genesis" and view["marks"] == []
    assert view["progress"] == pytest.approx(5 / 20)


def test_sprint_only_during_poc_with_nonces_per_participant() -> None:
    assert views.sprint_view(epoch_at(680, "Inference"), [], {}) is None
    assert views.sprint_view(GENESIS_EPOCH, [], {}) is None
    batches = [
        {"participant": "gonka1a", "nonce_count": 5},
        {"participant": "gonka1a", "nonce_count": 7},
        {"participant": "gonka1stranger", "nonce_count": 1},
    ]
    generation = views.sprint_view(epoch_at(662, "PoCGenerate"), batches, {"gonka1a": "p1"})
    assert generation is not None
    assert generation["stage"] == "generation" and generation["progress"] == pytest.approx(2 / 4)
    assert generation["batches"] == 3
    assert generation["nonces"] == {"p1": 12, "gonka1stranger": 1}
    validation = views.sprint_view(epoch_at(667, "PoCValidate"), [], {})
    assert validation is not None and validation["stage"] == "validation"
    assert validation["progress"] == pytest.approx(2 / 4)


def test_latest_inferences_first_with_their_outcome() -> None:
    raw = [
        {"inference_id": f"id{i}", "model": "m", "executed_by": "gonka1a", "requested_by": "gonka1dev",
         "status": status, "first_seen_height": height, "prompt_token_count": 3, "completion_token_count": 4}
        for i, (status, height) in enumerate(
            [("VALIDATED", 5), ("INVALIDATED", 9), ("FINISHED", 7)] + [("STARTED", 1)] * 10
        )
    ]
    rows = views.inference_rows(raw, {"gonka1a": "p1"})
    assert len(rows) == views.LATEST_INFERENCES
    assert [r["outcome"] for r in rows[:3]] == ["invalid", "awaiting validation", "valid"]
    assert rows[0]["executor"] == "p1" and rows[0]["requested_by"] == "gonka1dev" and rows[0]["tokens"] == 7


@pytest.mark.parametrize(
    ("row", "state"),
    [
        (chain_row("p1"), "up"),
        (chain_row("p1", catching_up=True), "catching up"),
        (chain_row("p1", running=False), "down"),
        (chain_row("p1", height=None), "unreachable"),
        ({"kind": "ml", "running": True, "state": None}, "unreachable"),
        ({"kind": "ml", "running": True, "state": "INFERENCE"}, "up"),
        ({"kind": "api", "running": True}, "up"),
        ({"kind": "api", "running": False}, "down"),
    ],
)
def test_node_state(row: dict[str, Any], state: str) -> None:
    assert views.node_state(row) == state


def test_participant_rows_join_chain_records_devnet_nodes_and_phases() -> None:
    names = {"gonka1a": "p1", "gonka1b": "p2", "gonka1c": "p3"}
    nodes = {"p1": [chain_row("p1", height=12)], "p2": [chain_row("p2", running=False)], "p3": [chain_row("p3")]}
    developer = {"address": "gonka1dev", "kind": "PARTICIPANT_KIND_DEVELOPER"}
    outsider = host("gonka1zzz", weight=3)
    chain = [host("gonka1a"), host("gonka1b"), outsider, developer]
    rows = views.participant_rows(chain, names, nodes, {"p1": "PoCGenerate"}, {"p3": "fake_logprobs"})
    assert [r["name"] for r in rows] == ["p1", "p2", "p3", "gonka1zzz"]  # developers are not hosts
    p1, p2, p3, other = rows
    assert (p1["status"], p1["height"], p1["phase"], p1["weight"], p1["executor_status"]) == (
        "up", 12, "PoCGenerate", 10, "RAMPING")
    assert p2["status"] == "down" and p2["height"] is None and p2["nodes"][0]["state"] == "down"
    assert p3["weight"] is None and p3["adversary"] == "fake_logprobs"  # on the devnet, not (yet) on chain
    assert other["status"] == "unknown" and other["weight"] == 3 and other["nodes"] == []
