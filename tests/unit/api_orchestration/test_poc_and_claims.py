"""PoC bookkeeping (what is sent, what is validated) and when a claim goes out."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.api.claims import must_claim_now
from node.api.poc import SprintLog, chunks, nonces_by_participant, validation_message
from node.ml.client import ProofBatch


def _batch(nonces: list[int]) -> ProofBatch:
    return ProofBatch("ab" * 32, "02" + "11" * 32, 60, 0, nonces, [0.5 + n / 1000 for n in nonces])


def test_a_nonce_is_sent_once_across_restarts(tmp_path: Path) -> None:
    sprint = SprintLog(tmp_path, poc_start=60, nodes=2)
    assert sprint.fresh(0, _batch([3, 9])) == ([3, 9], [0.503, 0.509])
    assert sprint.fresh(1, _batch([4])) == ([4], [0.504])
    restarted = SprintLog(tmp_path, poc_start=60, nodes=2)  # the ML node's sprint is followed from its start again
    assert restarted.fresh(0, _batch([3, 9])) == ([], [])
    assert restarted.fresh(0, _batch([12, 15])) == ([12, 15], [0.512, 0.515])
    assert restarted.fresh(1, _batch([4, 6])) == ([6], [0.506])
    assert SprintLog(tmp_path, poc_start=100, nodes=2).last_nonce == [-1, -1]  # a new PoC starts over
    assert SprintLog(tmp_path, poc_start=100, nodes=3).last_nonce == [-1, -1, -1]


def test_chunks_respect_the_chains_batch_limit() -> None:
    nonces, dist = list(range(7)), [float(n) for n in range(7)]
    parts = list(chunks(nonces, dist, 3))
    assert [p[0] for p in parts] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [p[1] for p in parts] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0]]


def test_each_participants_batches_are_concatenated_in_chain_order() -> None:
    batches = [
        {"participant": "gonka1b", "nonces": [5, 7], "dist": [0.1, 0.2]},
        {"participant": "gonka1me", "nonces": [1], "dist": [0.3]},
        {"participant": "gonka1a", "nonces": [2], "dist": [0.4]},
        {"participant": "gonka1b", "nonces": [9], "dist": [0.5]},
    ]
    assert nonces_by_participant(batches) == {
        "gonka1b": ([5, 7, 9], [0.1, 0.2, 0.5]),
        "gonka1me": ([1], [0.3]),
        "gonka1a": ([2], [0.4]),
    }


@pytest.mark.parametrize(("probability", "ppb"), [(1.0, 1_000_000_000), (0.5, 500_000_000), (1e-9, 1), (0.0, 0),
                                                  (1.2, 1_000_000_000)])
def test_the_verdict_goes_on_chain_with_its_probability_in_ppb(probability: float, ppb: int) -> None:
    verdict = {"n_invalid": 3, "probability_honest": probability, "fraud_detected": probability < 1e-7}
    message = validation_message("gonka1me", "gonka1b", 60, verdict)
    assert (message.creator, message.participant_address, message.poc_stage_start_block_height) == (
        "gonka1me", "gonka1b", 60
    )
    assert (message.n_invalid, message.probability_honest_ppb, message.fraud_detected) == (3, ppb, probability < 1e-7)


@pytest.mark.parametrize(
    ("settled", "latest", "pending", "now"),
    [
        (4, 5, 0, True),  # at epoch 5's claim stage, nothing left to validate
        (4, 5, 2, False),  # validations of epoch 4 still queued: claiming now would forfeit
        (4, 6, 2, True),  # epoch 6's PoC has started: waiting longer only risks the burn
    ],
)
def test_a_claim_waits_for_the_epochs_validations_but_not_forever(
    settled: int, latest: int, pending: int, now: bool
) -> None:
    assert must_claim_now(settled, latest, pending) is now
