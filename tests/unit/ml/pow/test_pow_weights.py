import math

import numpy as np
import pytest
import torch

from node.ml.pow.model import Transformer
from node.ml.pow.weights import build_model, fill_from_pool, parameter_offset, pool_size, weight_pool

from .conftest import BLOCK_HASH, GOLDEN, TINY


def _reference_names(n_layers: int) -> list[str]:
    per_layer = ["attention.wq", "attention.wk", "attention.wv", "attention.wo", "feed_forward.w1",
                 "feed_forward.w2", "feed_forward.w3", "attention_norm", "ffn_norm"]
    names = ["tok_embeddings.weight"]
    names += [f"layers.{i}.{module}.weight" for i in range(n_layers) for module in per_layer]
    return names + ["norm.weight", "output.weight"]


def test_parameter_names_order_and_count_match_the_reference(devnet) -> None:
    with torch.device("meta"):
        model = Transformer(devnet)
    named = list(model.named_parameters())
    assert [name for name, _ in named] == _reference_names(devnet.n_layers)
    assert sum(p.numel() for _, p in named) == devnet.total_params
    shapes = dict((name, tuple(p.shape)) for name, p in named)
    assert shapes["layers.0.feed_forward.w2.weight"] == (devnet.dim, devnet.ffn_hidden_dim)
    assert shapes["output.weight"] == (devnet.vocab_size, devnet.dim)


def test_pool_size_counts_the_embedding_table(devnet) -> None:
    assert pool_size(devnet) == int(0.05 * devnet.total_params) == GOLDEN["pool_size"]
    assert pool_size(TINY) == 50_000  # the floor


def test_pool_and_offsets_match_golden() -> None:
    pool = weight_pool(BLOCK_HASH, GOLDEN["pool_size"], torch.float32)
    assert pool[:4].tolist() == GOLDEN["pool_head_float32"]
    assert parameter_offset(BLOCK_HASH, "layers.0.attention.wq.weight") == GOLDEN["offset_layers.0.attention.wq.weight"]


def test_fp16_pool_is_rounded_through_float32() -> None:
    pool16 = weight_pool("abc", 60_000, torch.float16)
    assert pool16.dtype == torch.float16
    assert torch.equal(pool16, weight_pool("abc", 60_000, torch.float32).to(torch.float16))


@pytest.mark.parametrize("numel", [1, 7, 10, 11, 25, 33])
@pytest.mark.parametrize("offset", [0, 3, 12345, 2**32 - 1])
def test_fill_slices_or_tiles_and_rotates_like_the_reference(numel: int, offset: int) -> None:
    pool = torch.arange(10, dtype=torch.float32)
    out = torch.empty(numel)
    fill_from_pool(out, pool, offset)
    size = pool.numel()
    if numel <= size:
        start = offset % (size - numel + 1)
        expected = pool.numpy()[start : start + numel]
    else:
        tiled = np.concatenate([np.tile(pool.numpy(), numel // size), pool.numpy()[: numel % size]])
        expected = np.roll(tiled, -(offset % numel))
    np.testing.assert_array_equal(out.numpy(), expected)


def test_every_weight_is_seeded_norms_included() -> None:
    model = build_model(TINY, "norms", torch.float32)
    norm = model.layers[0].attention_norm.weight
    assert not torch.equal(norm, torch.ones_like(norm))
    assert norm.abs().max() < 0.2
    pool = weight_pool("norms", pool_size(TINY), torch.float32)
    for name, param in model.named_parameters():
        start = parameter_offset("norms", name) % (pool_size(TINY) - param.numel() + 1)
        assert torch.equal(param.reshape(-1), pool[start : start + param.numel()]), name
    assert math.isclose(float(model.output.weight.std()), 0.02, rel_tol=0.1)


def test_models_are_cached_per_params_block_and_dtype() -> None:
    first = build_model(TINY, "cache", torch.float32)
    assert build_model(TINY, "cache", torch.float32) is first
    other = build_model(TINY, "cache2", torch.float32)
    assert not torch.equal(other.output.weight, first.output.weight)
    assert build_model(TINY, "cache2", torch.float16).output.weight.dtype == torch.float16
