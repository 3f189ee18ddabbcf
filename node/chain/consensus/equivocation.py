"""TEST ONLY: an equivocating proposer, for the fault suite (tests/faults/test_byzantine.py).

With GONKA_TEST_EQUIVOCATING_PROPOSER=1 in its environment, a chain node that proposes signs a
second proposal for the same height and round, with a different block (its time one
millisecond later), and sends one proposal to some of its peers and the other to the rest —
the Byzantine behaviour that honest nodes must survive without ever committing different
blocks. The split alternates from one proposal to the next: with 4 validators, one splits the
prevotes 2|2 (no quorum: the round fails), the next gives the first block a quorum of 3 that
the peer holding the second one must fetch.

A node refuses to start with the switch unless its genesis uses the devnet params profile.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Protocol

from node.proto.gonka import consensus_pb2 as pb

log = logging.getLogger(__name__)

ENV = "GONKA_TEST_EQUIVOCATING_PROPOSER"


class _Link(Protocol):
    def offer(self, envelope: pb.Envelope) -> None: ...


class Equivocator:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, links: Sequence[_Link], first: pb.Envelope, second: pb.Envelope) -> None:
        """`first` to the first peers, `second` to the others; the cut moves by one each time."""
        cut = 1 + self.sent % max(1, len(links) - 1)
        self.sent += 1
        for index, link in enumerate(links):
            link.offer(first if index < cut else second)


def from_env(params_profile: str) -> Equivocator | None:
    """An Equivocator when the switch is set; RuntimeError when it is set outside a devnet."""
    if os.environ.get(ENV, "") in ("", "0"):
        return None
    if params_profile != "devnet":
        raise RuntimeError(f"{ENV} is a test switch; refused on a chain with the {params_profile!r} params profile")
    log.warning("%s is set: this node sends conflicting proposals (Byzantine, for tests only)", ENV)
    return Equivocator()
