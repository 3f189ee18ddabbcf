"""Which host executes a request: a weight-proportional random pick (reference GetRandomExecutor).

The candidates are the members of the effective epoch group that serve the model, weigh more
than 0 and have a public url on chain (a host without one cannot be reached). The pick walks
the cumulative weights with a fresh random number per request; the reference draws it from a
non-deterministic RNG, and so does the api node (`random.SystemRandom`). Tests pass a seeded
`random.Random`. Candidates are ordered by address so a seeded pick is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Candidate:
    address: str
    url: str
    weight: int


def eligible(members: Iterable[Mapping[str, Any]], urls: Mapping[str, str], model: str) -> list[Candidate]:
    """Members of the group (epoch_group query records) that can take a request for `model`."""
    found = [
        Candidate(member["address"], urls[member["address"]], int(member["weight"]))
        for member in members
        if int(member["weight"]) > 0 and model in member.get("models", ()) and urls.get(member["address"])
    ]
    return sorted(found, key=lambda candidate: candidate.address)


def pick(candidates: Sequence[Candidate], rng: random.Random) -> Candidate:
    """One candidate, each with probability weight / total weight."""
    if not candidates:
        raise ValueError("no candidates to pick from")
    point = rng.randrange(sum(candidate.weight for candidate in candidates))
    for candidate in candidates:
        if point < candidate.weight:
            return candidate
        point -= candidate.weight
    raise AssertionError("unreachable: the point lies below the total weight")
