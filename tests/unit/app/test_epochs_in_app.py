"""The epoch clock as the chain runs it: records at PoC starts, stage events, the `epoch` query."""

import pytest

from node.chain.app.queries import QueryError

from .harness import Node


def stage_events(node: Node, until: int) -> list[tuple[int, str, str]]:
    seen = []
    for result in node.run_blocks_until(until):
        for event in result.events:
            if event.type == "epoch_stage":
                attrs = dict(event.attributes)
                seen.append((int(attrs["height"]), attrs["stage"], attrs["epoch_index"]))
    return seen


def test_devnet_stage_events_over_two_epochs(node: Node) -> None:
    events = stage_events(node, 61)
    assert events[:9] == [
        (20, "poc_start", "1"),
        (23, "poc_generation_wind_down", "1"),
        (24, "poc_generation_end", "1"),
        (25, "poc_validation_start", "1"),
        (28, "poc_validation_wind_down", "1"),
        (29, "poc_validation_end", "1"),
        (30, "set_new_validators", "1"),
        (31, "claim_money", "1"),
        (58, "inference_validation_cutoff", "1"),
    ]
    assert events[9:] == [(60, "poc_start", "2")]


def test_epoch_query_follows_the_chain(node: Node) -> None:
    assert node.app.query("epoch", {})["epoch_index"] == 0
    node.run_blocks_until(26)
    now = node.app.query("epoch", {})
    assert now["height"] == 26
    assert (now["epoch_index"], now["effective_epoch_index"], now["poc_start_height"]) == (1, 0, 20)
    assert now["phase"] == "PoCValidate"
    assert now["stages"]["batch_window"] == {"start": 21, "end": 26}
    assert now["next_poc_start_height"] == 60
    after_switch = node.app.query("epoch", {"height": 30})
    assert after_switch["effective_epoch_index"] == 1
    genesis_epoch = node.app.query("epoch", {"height": 5})
    assert (genesis_epoch["epoch_index"], genesis_epoch["phase"], genesis_epoch["stages"]) == (0, "Inference", None)
    future = node.app.query("epoch", {"height": 101})
    assert (future["epoch_index"], future["poc_start_height"], future["phase"]) == (3, 100, "PoCGenerate")


def test_epoch_query_rejects_bad_height(node: Node) -> None:
    for params in ({"height": -1}, {"height": "7"}, {"height": True}, {"h": 1}):
        with pytest.raises(QueryError) as error:
            node.app.query("epoch", params)
        assert error.value.code == "invalid_argument"


def test_params_query(node: Node) -> None:
    params = node.app.query("params", {})
    assert params["epoch"]["epoch_length"] == 40
    assert isinstance(params["block"]["max_bytes"], int)


def test_unknown_query_path(node: Node) -> None:
    with pytest.raises(QueryError, match="unknown query path"):
        node.app.query("nope", {})
