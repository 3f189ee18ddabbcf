import itertools
import threading
import time

import numpy as np
import pytest
import torch

from node.ml.pow.distance import distances_from_logits
from node.ml.pow.engine import PowEngine
from node.ml.pow.params import R_TARGET

from .conftest import BLOCK_HASH, GOLDEN, PUBLIC_KEY


@pytest.mark.parametrize("dtype_name", ["float32", "float16"])
def test_golden_distances(devnet, dtype_name: str) -> None:
    engine = PowEngine(devnet, BLOCK_HASH, PUBLIC_KEY, dtype=getattr(torch, dtype_name))
    assert engine.distances(GOLDEN["nonces"]).tolist() == GOLDEN["distances"][dtype_name]


def test_golden_fp16_and_fp32_agree_within_the_reference_tolerance() -> None:
    diff = np.abs(np.subtract(GOLDEN["distances"]["float32"], GOLDEN["distances"]["float16"]))
    assert 0 < diff.max() < 1e-4


def test_distances_do_not_depend_on_batching(engine: PowEngine) -> None:
    nonces = np.arange(70, 94)
    whole = engine.distances(nonces, batch_size=64)
    for batch_size in (1, 5, 16):
        assert engine.distances(nonces, batch_size=batch_size).tolist() == whole.tolist()
    assert engine.distances(nonces[::-1]).tolist() == whole[::-1].tolist()
    assert engine.distances([]).shape == (0,)


def test_distances_depend_on_key_block_and_nonce(devnet, engine: PowEngine) -> None:
    base = engine.distances([1, 2])
    assert base[0] != base[1]
    assert PowEngine(devnet, BLOCK_HASH, "other-key").distances([1])[0] != base[0]
    assert PowEngine(devnet, "other-block", PUBLIC_KEY).distances([1])[0] != base[0]


def test_distance_is_the_normalised_permuted_gap_to_the_target() -> None:
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((3, 10)).astype(np.float32)
    perms = np.stack([rng.permutation(10) for _ in range(3)])
    goal = rng.standard_normal(10)
    goal /= np.linalg.norm(goal)
    got = distances_from_logits(logits, perms, goal)
    for i in range(3):
        row = logits[i][perms[i]].astype(np.float64)
        assert got[i] == pytest.approx(np.linalg.norm(row / np.linalg.norm(row) - goal), abs=1e-7)
    with pytest.raises(ValueError, match="shape mismatch"):
        distances_from_logits(logits, perms[:2], goal)


def test_sprint_yields_the_valid_nonces_of_its_share(engine: PowEngine) -> None:
    batches = list(itertools.islice(engine.sprint(node_id=1, node_count=3, batch_size=32), 5))
    tried = 1 + 3 * np.arange(160)
    expected = engine.distances(tried)
    valid = expected < R_TARGET
    assert np.concatenate([b.nonces for b in batches]).tolist() == tried[valid].tolist()
    assert np.concatenate([b.dists for b in batches]).tolist() == expected[valid].tolist()
    assert [b.tried for b in batches] == [32] * 5
    assert [b.total_tried for b in batches] == [32, 64, 96, 128, 160]
    assert batches[-1].total_valid == int(valid.sum())
    assert 0.01 < valid.mean() < 0.12  # about 5 %


def test_sprint_resumes_from_a_start_index(engine: PowEngine) -> None:
    first = next(engine.sprint(0, 2, batch_size=8, start_index=100))
    dists = engine.distances(2 * np.arange(100, 108))
    assert first.nonces.tolist() == (2 * np.arange(100, 108))[dists < R_TARGET].tolist()


def test_sprint_stops_on_event_and_deadline(engine: PowEngine) -> None:
    stop = threading.Event()
    seen = 0
    for batch in engine.sprint(0, 1, batch_size=4, stop_event=stop):
        seen += 1
        if batch.total_tried == 8:
            stop.set()
    assert seen == 2
    assert list(engine.sprint(0, 1, batch_size=4, deadline=time.monotonic())) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"node_id": 2, "node_count": 2}, "node_id must be"),
        ({"node_id": 0, "node_count": 0}, "node_count must be"),
        ({"node_id": 0, "node_count": 1, "batch_size": 0}, "batch_size must be"),
    ],
)
def test_bad_sprint_arguments_are_rejected_at_the_call(engine: PowEngine, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        engine.sprint(**kwargs)  # not on the first batch: the caller can answer a bad request at once


def test_bad_engine_arguments_are_rejected(devnet, engine: PowEngine) -> None:
    with pytest.raises(ValueError, match="block_hash"):
        PowEngine(devnet, "", PUBLIC_KEY)
    with pytest.raises(ValueError, match="dtype"):
        PowEngine(devnet, BLOCK_HASH, PUBLIC_KEY, dtype=torch.bfloat16)
    with pytest.raises(ValueError, match="non-negative"):
        engine.distances([-1])
    with pytest.raises(ValueError, match="integers"):
        engine.distances([1.5])
