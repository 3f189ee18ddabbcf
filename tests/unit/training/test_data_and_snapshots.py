"""Deterministic shard batches, the held-out split, and content-addressed snapshots."""

from pathlib import Path

import pytest
import torch

from node.ml.training.data import eval_batch, load_tokens, shard_batch, split
from node.ml.training.model import build_model, parameter_count
from node.ml.training.snapshots import ArtifactMissing, ArtifactStore, load_state, params_hash, state_tensors
from node.ml.training.steps import inner_optimizer, inner_step

TOKENS = load_tokens("kjv-pentateuch")


def test_batches_are_reproducible_and_stay_in_their_shard() -> None:
    first = shard_batch(TOKENS, 1, 3, seed=7, outer_step=2, inner_step=5, batch_size=4, seq_len=32)
    again = shard_batch(TOKENS, 1, 3, seed=7, outer_step=2, inner_step=5, batch_size=4, seq_len=32)
    other = shard_batch(TOKENS, 1, 3, seed=7, outer_step=2, inner_step=6, batch_size=4, seq_len=32)
    assert first.shape == (4, 33) and torch.equal(first, again) and not torch.equal(first, other)
    train, held_out = split(TOKENS)
    shard = train[len(train) // 3 : 2 * len(train) // 3]
    text = bytes(shard.to(torch.uint8).tolist())
    assert all(bytes(row.to(torch.uint8).tolist()) in text for row in first)
    assert eval_batch(TOKENS, 2, 32).shape == (2, 33) and len(held_out) < len(train) // 10


def test_models_build_identically_from_the_seed() -> None:
    one, two = build_model("tiny-llama", 3), build_model("tiny-llama", 3)
    assert params_hash(one) == params_hash(two) != params_hash(build_model("tiny-llama", 4))
    assert 100_000 < parameter_count(one) < 200_000
    with pytest.raises(ValueError, match="unknown training model 'gpt-9'"):
        build_model("gpt-9", 0)


def test_snapshots_round_trip_and_refuse_tampering(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    model = build_model("tiny-llama", 0)
    optimizer = inner_optimizer(model, 1e-3)
    inner_step(model, optimizer, shard_batch(TOKENS, 0, 1, 0, 0, 0, 2, 16))
    saved = store.put(state_tensors(model, optimizer))
    copy = build_model("tiny-llama", 1)
    copy_optimizer = inner_optimizer(copy, 1e-3)
    load_state(copy, copy_optimizer, store.get(saved))
    batch = shard_batch(TOKENS, 0, 1, 0, 0, 1, 2, 16)
    assert inner_step(model, optimizer, batch) == inner_step(copy, copy_optimizer, batch)
    assert params_hash(model) == params_hash(copy)
    store.path(saved).write_bytes(store.path(saved).read_bytes()[:-1] + b"\x00")
    with pytest.raises(ArtifactMissing, match="corrupt"):
        store.get(saved)
    with pytest.raises(ArtifactMissing, match="not in"):
        store.get("sha256:" + "0" * 64)
