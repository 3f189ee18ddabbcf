"""Executor choice: only reachable members serving the model, picked in proportion to weight."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from node.api.routing import Candidate, eligible, pick

MODEL = "devnet-llama-10m-seed0"


def _member(address: str, weight: int, models: tuple[str, ...] = (MODEL,)) -> dict[str, object]:
    return {"address": address, "weight": weight, "models": list(models)}


def test_eligible_needs_weight_the_model_and_a_url() -> None:
    members = [
        _member("gonka1d", 10),
        _member("gonka1a", 30),
        _member("gonka1zero", 0),
        _member("gonka1other", 10, ("other-model",)),
        _member("gonka1nourl", 10),
    ]
    urls = {"gonka1a": "http://a", "gonka1d": "http://d", "gonka1zero": "http://z", "gonka1other": "http://o"}
    expected = [Candidate("gonka1a", "http://a", 30), Candidate("gonka1d", "http://d", 10)]
    assert eligible(members, urls, MODEL) == expected


def test_picks_follow_the_weights() -> None:
    candidates = [Candidate("a", "http://a", 10), Candidate("b", "http://b", 30), Candidate("c", "http://c", 60)]
    rng = random.Random(7)
    draws = 20_000
    counts = Counter(pick(candidates, rng).address for _ in range(draws))
    for candidate in candidates:
        assert counts[candidate.address] / draws == pytest.approx(candidate.weight / 100, abs=0.015)


def test_a_seeded_pick_is_reproducible() -> None:
    candidates = [Candidate("a", "http://a", 1), Candidate("b", "http://b", 1)]
    first = [pick(candidates, random.Random(3)).address for _ in range(5)]
    assert first == [pick(candidates, random.Random(3)).address for _ in range(5)]


def test_pick_needs_candidates() -> None:
    with pytest.raises(ValueError):
        pick([], random.Random(0))
