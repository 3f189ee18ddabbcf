"""A late joiner: a chain node that syncs as a full node, an api node that registers the host, a
sprint in the next PoC, weight in the epoch group and then consensus power."""

from __future__ import annotations

import pytest

from tests.integration.network_fixtures import JOINER, NETWORK_TEST_TIMEOUT_S, Network

pytestmark = pytest.mark.timeout(NETWORK_TEST_TIMEOUT_S)

JOIN_TIMEOUT_S = 300


def test_late_joiner_syncs_registers_and_gets_weight_and_power(network: Network) -> None:
    address = network.address(JOINER)
    joined_at = network.query("participant", address=address)["registered_height"]
    assert joined_at > 1, "the joiner is no genesis host"

    with network.net.client(f"{JOINER}-chain") as client:  # its own chain node follows the chain
        ours, theirs = client.status(), network.height()
        assert ours["height"] >= min(theirs, joined_at)

    events = network.events
    weighted = events.wait_for(
        lambda: [e for e in events.find("weights_computed", address=address) if int(e["weight"]) > 0],
        JOIN_TIMEOUT_S, f"{JOINER} getting PoC weight")
    epoch = int(weighted[0]["epoch_index"])
    switched = events.wait_for(lambda: events.find("validators_switched", epoch_index=epoch), JOIN_TIMEOUT_S,
                               f"epoch {epoch} taking over")
    # that epoch's group, not the participant's current record: a later PoC may already have run
    member = {m["address"]: m for m in network.query("epoch_group", epoch=epoch)["members"]}[address]
    assert member["weight"] > 0, member
    powers = [int(e["power"]) for e in events.find("validator_power_changed", operator_address=address)
              if e.height == switched[0].height]
    assert powers == [member["weight"]], (powers, member)  # its weight became its consensus power
    assert network.query("participant", address=address)["url"] == network.api_url(JOINER)
