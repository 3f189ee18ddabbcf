"""The views `%gonka epoch` and `%gonka sprint` display: what a person sees is kept as state."""

from __future__ import annotations

import re

import pandas as pd

from gonka_lab.magics.chain import _Pace
from gonka_lab.widgets import EpochTimeline, SprintView
from gonka_lab.widgets.timeline import stage_rows

EPOCH = {
    "epoch_index": 3, "phase": "PoCValidate", "height": 130, "next_poc_start_height": 140,
    "stages": {"poc_start": 100, "poc_generation_end": 104, "poc_validation_start": 105,
               "poc_validation_end": 109, "set_new_validators": 110, "claim_money": 111, "next_poc_start": 140},
}


def test_the_epoch_timeline_marks_the_current_block_in_its_stage() -> None:
    rows = stage_rows(EPOCH)
    assert [label for label, _, _ in rows] == [
        "PoC generate", "wind down", "PoC validate", "set validators", "claims", "inference"]
    assert rows[0] == ("PoC generate", 100, 103) and rows[-1] == ("inference", 111, 139)
    timeline = EpochTimeline(EPOCH)
    assert "epoch 3</b> — phase PoCValidate, block 130 (next PoC at 140)" in timeline.widget.value
    marker = re.search(r"left:([\d.]+)%", timeline.widget.value)
    assert marker is not None and float(marker.group(1)) == 75.0  # block 130 of 100–139
    timeline.update(EPOCH | {"height": 139})
    assert "block 139" in timeline.widget.value and timeline.epoch["height"] == 139


def test_the_sprint_view_shows_each_participant_then_the_weights() -> None:
    view = SprintView(["p1", "p2"])
    view.update(pd.DataFrame({"name": ["p1", "p2"], "nonces_tried": [400, 100], "valid_nonces": [3, 1]}),
                "epoch 3, block 102: 2 block(s) (~4 s) of generation left")
    assert "2 block(s) (~4 s) of generation left" in view.header.value
    assert (view.bars["p1"].value, view.bars["p1"].max, view.bars["p2"].value) == (400, 400, 100)
    assert view.labels["p2"].value == "100 tried, 1 valid"
    view.finish(pd.DataFrame({"name": ["p1", "p2"], "weight": [3, 1]}))
    assert "finished" in view.header.value and "<td>3</td>" in view.weights.value


def test_the_sprint_turns_blocks_left_into_seconds_at_the_pace_seen() -> None:
    pace = _Pace(100)
    assert pace.seconds(100, 4) == ""  # no block has passed yet
    assert re.fullmatch(r" \(~\d+ s\)", pace.seconds(102, 4))
    assert pace.seconds(102, 0) == ""
