"""The validation scheduler's choices: which events become jobs, which jobs it runs, with which seed.

The expected choices come from an oracle written here from the reference's formulas with
exact fractions (not from node.core.validation_policy), for fixed seeds and a table of
validator power, traffic and executor reputation under the devnet validation params.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import pytest

from node.api.events import ChainBlock
from node.api.seeds import SeedStore
from node.api.validator import Decision, Job, JobQueue, Kind, decide, jobs_in_block, pending_validations, value_ppm
from node.chain.app.abci import Event
from node.chain.app.params.profiles import resolve_params
from node.chain.rpc import _events as chain_events
from node.core.keys import AccountKey
from node.core.validation_policy import FinishedInference
from node.proto.gonka import chain_pb2 as pb

ME = "gonka1me"
OTHER = "gonka1other"
PARAMS = resolve_params("devnet", {}).validation  # traffic cutoffs 10 / 100, averages 0.01 / 0.05 / 1.0
SEED = 0x5EED_0F_1A57_CAFE
IDS = [f"inference-{i}" for i in range(300)]


def _finished_event(inference_id: str, executor: str, epoch: int) -> Event:
    return Event.of(
        "inference_finished", inference_id=inference_id, executor=executor, requested_by="gonka1dev",
        transferred_by="gonka1ta", model="m", epoch=epoch, traffic_basis=3, executor_power=10,
        executor_reputation=0, total_power=30, prompt_token_count=1, completion_token_count=1,
        per_token_price=1, actual_cost=2, refund=0, height=10,
    )


def _validation_event(inference_id: str, validator: str, needs: bool) -> Event:
    return Event.of(
        "inference_validation", inference_id=inference_id, validator=validator, executor=OTHER, model="m",
        value_ppm=1, threshold_ppm=990_000, passed=False, revalidation=False, needs_revalidation=needs,
        status="VOTING", height=10,
    )


def _block(*tx_events: Event) -> ChainBlock:
    info = pb.BlockInfo(height=10, hash=b"\x01" * 32, tx_results=[pb.TxResult(code=0, events=chain_events(tx_events))])
    return ChainBlock.from_proto(info)


def _job(inference_id: str, executor: str = OTHER, epoch: int = 4, **inference: int) -> Job:
    fields = {"executor_power": 10, "executor_reputation": 0, "total_power": 30, "traffic_basis": 3} | inference
    return Job(Kind.VALIDATE, inference_id, "m", epoch, FinishedInference(inference_id, executor, **fields))


# -- events -> jobs ----------------------------------------------------------------------------


def test_a_block_brings_validations_of_others_and_votes_it_did_not_cast() -> None:
    block = _block(
        _finished_event("mine", ME, 4),
        _finished_event("theirs", OTHER, 4),
        _validation_event("failed-by-other", OTHER, needs=True),
        _validation_event("failed-by-me", ME, needs=True),  # my failed verdict already is my vote
        _validation_event("passed", OTHER, needs=False),
    )
    jobs = jobs_in_block(block, ME, adversary="")
    assert [(job.kind, job.inference_id, job.epoch) for job in jobs] == [
        (Kind.VALIDATE, "theirs", 4),
        (Kind.REVALIDATE, "failed-by-other", -1),
    ]
    assert jobs_in_block(block, ME, adversary="lazy-validator") == []


# -- jobs -> decisions -------------------------------------------------------------------------


def _oracle(seed: int, inference_id: str, p: Fraction) -> bool:
    """r < p with r = first 8 bytes of SHA-256("{seed}:{id}") / (2^64 - 1)."""
    r = int.from_bytes(hashlib.sha256(f"{seed}:{inference_id}".encode()).digest()[:8], "big")
    return Fraction(r, 2**64 - 1) < p


# (validator power, executor power, total power, traffic, executor reputation) -> p by the reference's formulas
CASES = [
    ((10, 10, 30, 3, 0), Fraction(1, 2)),  # low traffic: target = max average 1.0 whatever the reputation
    ((10, 10, 30, 3, 100), Fraction(1, 2)),
    ((10, 10, 30, 100, 100), Fraction(1, 100) * Fraction(10, 20)),  # full traffic, trusted: 0.01
    ((10, 10, 30, 100, 0), Fraction(1, 2)),  # full traffic, untrusted: 0.01 + 0.99 = 1.0
    ((10, 10, 30, 55, 100), Fraction(46, 1000) * Fraction(10, 20)),  # 0.05 -> 0.01 over 50..100 traffic
    ((20, 10, 30, 3, 0), Fraction(1)),  # more power than all the others: validates everything
    ((0, 10, 30, 3, 0), Fraction(0)),  # no weight in the epoch's group: no duty
]


@pytest.mark.parametrize(("case", "p"), CASES)
def test_with_a_fixed_seed_it_validates_what_the_rule_draws(case: tuple[int, ...], p: Fraction) -> None:
    power, executor_power, total, traffic, reputation = case
    chosen = [
        inference_id
        for inference_id in IDS
        if decide(
            _job(inference_id, executor_power=executor_power, total_power=total, traffic_basis=traffic,
                 executor_reputation=reputation),
            ME, SEED, power, PARAMS, latest_epoch=4,
        ) is Decision.RUN
    ]
    assert chosen == [i for i in IDS if _oracle(SEED, i, p)]
    assert abs(len(chosen) - float(p) * len(IDS)) < 0.2 * len(IDS) + 5  # the draw is spread, not stuck


def test_own_inferences_and_missing_seeds() -> None:
    assert decide(_job("x", executor=ME), ME, SEED, 10, PARAMS, latest_epoch=4) is Decision.SKIP
    # No seed yet for the latest epoch (the orchestrator is about to draw it): wait for it.
    assert decide(_job("x", epoch=4), ME, None, 10, PARAMS, latest_epoch=4) is Decision.WAIT
    # A past epoch without a seed never gets one: no commit, no claim, no duty.
    assert decide(_job("x", epoch=3), ME, None, 10, PARAMS, latest_epoch=4) is Decision.SKIP
    vote = Job(Kind.REVALIDATE, "x", "m", -1, None)
    assert decide(vote, ME, None, 0, PARAMS, latest_epoch=4) is Decision.RUN  # every member votes


def test_between_poc_start_and_the_switch_each_inference_uses_its_own_epochs_seed(tmp_path: Path) -> None:
    """After epoch 5's PoC start both seeds exist; an inference finishing then still belongs
    to epoch 4 (the event says so) and must be judged with seed 4, or the claim fails."""
    key = AccountKey.from_private_hex("2a" * 32)
    store = SeedStore(tmp_path)
    seed_4, seed_5 = store.ensure(4, key).seed, store.ensure(5, key).seed
    differ = [i for i in IDS if _oracle(seed_4, i, Fraction(1, 2)) != _oracle(seed_5, i, Fraction(1, 2))]
    assert differ  # ~half of them
    for epoch, seed in ((4, seed_4), (5, seed_5)):
        jobs = jobs_in_block(_block(*(_finished_event(i, OTHER, epoch) for i in differ)), ME, adversary="")
        chosen = [j.inference_id for j in jobs if decide(j, ME, store.get(j.epoch), 10, PARAMS, 5) is Decision.RUN]
        assert chosen == [i for i in differ if _oracle(seed, i, Fraction(1, 2))]


@pytest.mark.parametrize(
    ("similarity", "ppm"),
    [(1.0, 1_000_000), (0.9999999, 999_999), (0.98, 980_000), (0.0, 0), (-0.1, 0), (1.5, 1_000_000),
     (float("nan"), 0)],
)
def test_similarity_is_sent_in_ppm_rounded_down(similarity: float, ppm: int) -> None:
    assert value_ppm(similarity) == ppm


# -- the durable queue -------------------------------------------------------------------------


def test_the_queue_survives_restarts_and_counts_what_a_claim_waits_for(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path)
    vote = Job(Kind.REVALIDATE, "a", "m", -1, None)
    queue.add([_job("a", epoch=4), _job("b", epoch=4), _job("c", epoch=5), vote])
    queue.add([_job("a", epoch=4)])  # a replayed block
    again = JobQueue(tmp_path)
    assert [(j.kind, j.inference_id) for j in again.jobs] == [
        (Kind.VALIDATE, "a"), (Kind.VALIDATE, "b"), (Kind.VALIDATE, "c"), (Kind.REVALIDATE, "a")
    ]
    assert again.jobs[0] == _job("a", epoch=4)
    assert (pending_validations(tmp_path, 4), pending_validations(tmp_path, 5), pending_validations(tmp_path, -1)) == (
        2, 1, 0
    )
    assert again.failed(again.jobs[1]).attempts == 1
    again.remove(_job("a", epoch=4))
    reopened = JobQueue(tmp_path)
    assert [j.inference_id for j in reopened.jobs] == ["b", "c", "a"] and reopened.jobs[0].attempts == 1
    assert reopened.first() == reopened.jobs[0]
