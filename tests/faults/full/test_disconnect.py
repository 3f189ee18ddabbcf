"""Disconnect perturbations on an api node's links, under a bounded signed inference load.

p2's api node is restarted with its two links — to its chain node (gRPC) and to its ML node
(gRPC) — carried by cuttable relays (link.py). Each link is then cut for PAUSE_S like a pulled
cable (bytes stop, nothing is refused), first the ML link, then the chain link, then both at
once; after each, the network serves inference again within SERVE_AGAIN_S. p2 stays a TA of the
load and an executor of the others' requests throughout, so requests are in flight on the cut
links. Then the invariants, and every inference an api node accepted ends on chain.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import tomli_w

from tests.faults.full.test_node_faults import PAUSE_S, SERVE_AGAIN_S, TAS
from tests.faults.inference_load import InferenceLoad
from tests.faults.invariants import check_full
from tests.faults.link import CutLink
from tests.faults.perturb import assert_all_running, term_restart
from tests.integration.network_fixtures import Network

pytestmark = pytest.mark.timeout(600)

HOST = "p2"


@contextmanager
def relayed_links(full: Network, host: str) -> Iterator[tuple[CutLink, CutLink]]:
    """The host's api node restarted with its chain and ML links through relays; its own config
    and a plain restart afterwards."""
    node = full.net.node(f"{host}-api")
    path = full.net.dir / node.config
    original = path.read_text()
    config = tomllib.loads(original)
    (ml_target,) = config["ml"]["nodes"]
    with CutLink(config["chain"]["url"]) as chain, CutLink(ml_target.removeprefix("grpc://")) as ml:
        config["chain"]["url"], config["ml"]["nodes"] = chain.address, [ml.address]
        path.write_text(tomli_w.dumps(config))
        try:
            term_restart(full.net, node.name)
            yield chain, ml
        finally:
            chain.restore()
            ml.restore()
            path.write_text(original)
            term_restart(full.net, node.name)


def test_api_node_links_cut_under_load(full: Network) -> None:
    with relayed_links(full, HOST) as (chain, ml), InferenceLoad(full, TAS, workers=3, max_requests=3000) as load:
        load.wait_accepted(3, SERVE_AGAIN_S)
        for links in ([ml], [chain], [chain, ml]):
            for link in links:
                link.cut()
            time.sleep(PAUSE_S)  # the fault's duration, not synchronization
            for link in links:
                link.restore()
            load.wait_accepted(3, SERVE_AGAIN_S)
    print(f"load: {len(load.accepted)} accepted, refusals {dict(load.refused)} {load.refusal_messages}, "
          f"{load.unknown} unknown outcomes")
    assert_all_running(full.net)
    check_full(full, load.accepted, [load.key.address])
