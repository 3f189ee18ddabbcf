"""Epochs on the full network: PoC weight becomes consensus power, weight 0 leaves the validator
set, a weight change is a power change, and reputation rises with every settled epoch."""

from __future__ import annotations

import pytest

from tests.integration.network_fixtures import (
    HONEST,
    NETWORK_TEST_TIMEOUT_S,
    Network,
    Traffic,
)

pytestmark = pytest.mark.timeout(NETWORK_TEST_TIMEOUT_S)

EPOCHS_TIMEOUT_S = 300
FAKE_POW = "p5"


def _members(net: Network, epoch: int) -> dict[str, dict]:
    return {net.name_of(m["address"]): m for m in net.query("epoch_group", epoch=epoch)["members"]}


def _powers(net: Network) -> dict[str, int]:
    return {net.name_of(v["operator_address"]): v["power"] for v in net.query("validators")["validators"]}


def test_weight_power_and_reputation_follow_the_epochs(network: Network, traffic: Traffic) -> None:
    events = network.events
    switched = events.wait_for(lambda: events.find("validators_switched", epoch_index=2), EPOCHS_TIMEOUT_S,
                               "epoch 2 taking over")[0]
    first, second = _members(network, 1), _members(network, 2)
    for name in HONEST:
        assert first[name]["weight"] > 0 and second[name]["weight"] > 0, name
        # one more settled epoch behind it: reputation rises
        assert second[name]["reputation"] > first[name]["reputation"], (name, first[name], second[name])

    # at the switch every member's power became its new weight: a changed weight is a changed power
    changes = {network.name_of(e["operator_address"]): int(e["power"])
               for e in events.find("validator_power_changed") if e.height == switched.height}
    changed = [n for n in second if second[n]["weight"] != first.get(n, {"weight": 0})["weight"]]
    assert changed, "PoC weights are nonce counts: some weight differs between epochs"
    for name in changed:
        member = second[name]
        if member["weight"] == 0 and member["poc_weight"] > 0:
            # convicted after the switch (an inference cheater): its weight was zeroed then, and
            # its power follows in a later block
            assert 0 < changes.get(name, 0) <= member["poc_weight"], (name, changes.get(name), member)
            events.wait_for(lambda: _power_zeroed_after(network, name, switched.height), EPOCHS_TIMEOUT_S,
                            f"{name}'s power going to 0 after its conviction")
            continue
        assert changes[name] == member["weight"], (name, changes.get(name), member)

    # weight 0 (its second PoC was found fake) takes a validator out of the validator set
    assert first[FAKE_POW]["weight"] > 0 and second.get(FAKE_POW, {"weight": 0})["weight"] == 0
    assert changes[FAKE_POW] == 0

    # and now: the consensus powers are the effective group's weights (H+2 after its switch)
    latest = max(events.find("validators_switched"), key=lambda e: e.height)
    events.wait_height(latest.height + 3, 60)
    group = _members(network, int(latest["epoch_index"]))
    powers = _powers(network)
    if max(events.find("validators_switched"), key=lambda e: e.height) == latest:  # no newer switch meanwhile
        for name, member in group.items():
            assert powers.get(name, 0) == member["weight"], (name, powers.get(name), member)
    assert powers.get(FAKE_POW, 0) == 0


def _power_zeroed_after(network: Network, name: str, height: int) -> bool:
    return any(network.name_of(e["operator_address"]) == name and int(e["power"]) == 0
               for e in network.events.find("validator_power_changed") if e.height > height)
