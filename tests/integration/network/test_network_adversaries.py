"""Every adversary mode is detected and punished on the shared network, honest hosts never are,
and every request an api node accepted ends on chain.

Detection, as measured here (devnet params, reputation 0 at the start, so nearly every
inference of a new host is validated):
- fake-pow: at the second PoC (the first accepts everyone: the genesis epoch has no electorate
  yet); every validator's sample fails, weight 0.
- wrong-model, fake-logprobs: INVALID after 5 consecutive invalidated inferences
  (false_positive_rate 0.05: 0.05^5 < 1e-6), i.e. within the first ~5-8 inferences it executes;
  slashed at once, its epoch's coins forfeited at settlement.
- lazy-validator: at its first claim after an epoch in which it was drawn to validate: the
  chain recomputes its duties from the revealed seed and pays nothing.
"""

from __future__ import annotations

import pytest

from tests.integration.network_fixtures import (
    ADVERSARIES,
    FINAL,
    HONEST,
    JOINER,
    NETWORK_TEST_TIMEOUT_S,
    Network,
    Traffic,
)

pytestmark = pytest.mark.timeout(NETWORK_TEST_TIMEOUT_S)

CATCH_TIMEOUT_S = 300
MIN_ACCEPTED = 40


def _by_mode(mode: str) -> str:
    return next(name for name, m in ADVERSARIES.items() if m == mode)


def test_fake_pow_gets_no_weight(network: Network, traffic: Traffic) -> None:
    cheater = network.address(_by_mode("fake-pow"))
    events = network.events
    rejected = events.wait_for(
        lambda: [e for e in events.find("weights_computed", address=cheater) if e["accepted"] == "False"],
        CATCH_TIMEOUT_S, "a PoC verdict rejecting the fake-pow host")
    epoch = rejected[0]["epoch_index"]
    print(f"fake-pow: rejected at the PoC of epoch {epoch} (the first PoC accepts everyone: no electorate yet)")
    assert "fraud" in rejected[0]["reason"] and int(rejected[0]["capped"]) == 0, rejected[0].attributes
    honest = [e for e in events.find("weights_computed", epoch_index=epoch) if network.name_of(e["address"]) in HONEST]
    assert len(honest) == len(HONEST) and all(e["accepted"] == "True" and int(e["weight"]) > 0 for e in honest)


def test_inference_cheaters_become_invalid_slashed_and_forfeit(network: Network, traffic: Traffic) -> None:
    events = network.events
    for mode in ("wrong-model", "fake-logprobs"):
        cheater = network.address(_by_mode(mode))
        invalid = events.wait_for(lambda: events.find("executor_status_changed", address=cheater, status="INVALID"),
                                  CATCH_TIMEOUT_S, f"the {mode} host turning INVALID")
        at = invalid[0].height
        executed = [e for e in events.find("inference_finished", executor=cheater) if e.height <= at]
        print(f"{mode}: INVALID at block {at} after executing {len(executed)} inferences")
        assert events.find("inference_invalidated", executor=cheater)
        assert events.find("slashed", address=cheater, reason="invalid")
        assert network.query("participant", address=cheater)["weight"] == 0
        forfeits = events.wait_for(lambda: events.find("forfeited", address=cheater), CATCH_TIMEOUT_S,
                                   f"the {mode} host's coins forfeited")
        assert int(forfeits[0]["amount"]) >= 0


def test_lazy_validator_is_paid_nothing(network: Network, traffic: Traffic) -> None:
    lazy = network.address(_by_mode("lazy-validator"))
    events = network.events
    claims = events.wait_for(
        lambda: [e for e in events.find("rewards_claimed", address=lazy) if e["paid"] == "0"], CATCH_TIMEOUT_S,
        "the lazy validator claiming in vain")
    epoch = claims[0]["epoch_index"]
    assert events.find("forfeited", address=lazy, epoch_index=epoch)
    assert not events.find("inference_validation", validator=lazy)  # it never validated anything
    # honest hosts claim the same epoch, possibly a few blocks after the lazy one
    paid = events.wait_for(
        lambda: [e for e in events.find("rewards_claimed", epoch_index=epoch) if network.name_of(e["address"]) in HONEST],
        CATCH_TIMEOUT_S, "the honest hosts' claims of that epoch")
    assert all(int(e["paid"]) > 0 for e in paid), [e.attributes for e in paid]


def test_honest_hosts_are_never_convicted_and_nothing_is_lost(network: Network, traffic: Traffic) -> None:
    events = network.events
    events.wait_for(lambda: len(traffic.accepted) >= MIN_ACCEPTED, CATCH_TIMEOUT_S,
                    f"{MIN_ACCEPTED} accepted requests")
    accepted = list(traffic.accepted)

    records = events.wait_for(lambda: network.records_once(accepted, FINAL), CATCH_TIMEOUT_S,
                              "every accepted request ending on chain")
    for inference_id, record in records.items():
        if record["status"] == "EXPIRED":
            refunds = events.find("inference_expired", inference_id=inference_id)
            assert refunds and int(refunds[0]["refund"]) == record["escrow"], record

    honest = {network.address(name) for name in (*HONEST, JOINER)}
    for record in records.values():
        if record["executed_by"] in honest:
            assert record["status"] != "INVALIDATED", record
    for address in honest:
        assert not events.find("slashed", address=address), address
        assert not events.find("cheater_marked", address=address), address
        assert network.query("executor_status", address=address)["status"] != "INVALID"
