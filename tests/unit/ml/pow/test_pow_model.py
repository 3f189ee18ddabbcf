import numpy as np
import pytest
import torch

from node.ml.pow.inputs import prepare_batch
from node.ml.pow.model import rope_table
from node.ml.pow.rng import fill_input
from node.ml.pow.weights import build_model

from .conftest import BLOCK_HASH, PUBLIC_KEY, TINY


def _all_positions_logits(model, inputs: torch.Tensor) -> torch.Tensor:
    """The reference's way: final norm and output projection at every position, keep the last."""
    return model.output(model.norm(model.hidden_states(inputs))).float()[:, -1, :]


@pytest.mark.parametrize(
    ("dtype", "batch"),
    # 1 and 5 rows are padded to 32; 33 to 64. fp16 on a CPU is slow, so it gets the small cases.
    [(torch.float32, 1), (torch.float32, 5), (torch.float32, 33), (torch.float16, 1), (torch.float16, 5)],
)
def test_last_position_head_gives_the_reference_logits_bit_for_bit(devnet, dtype, batch) -> None:
    model = build_model(devnet, BLOCK_HASH, dtype)
    inputs = prepare_batch(devnet, BLOCK_HASH, PUBLIC_KEY, list(range(batch)), dtype).inputs
    with torch.inference_mode():
        fast = model(inputs)
        assert fast.dtype == torch.float32 and fast.shape == (batch, devnet.vocab_size)
        assert torch.equal(fast, _all_positions_logits(model, inputs))


def test_inputs_are_a_single_rounding_of_the_float64_draws(devnet) -> None:
    batch = prepare_batch(devnet, BLOCK_HASH, PUBLIC_KEY, [5, 9], torch.float16)
    stacked = np.empty((2, devnet.seq_len, devnet.dim))
    for i, nonce in enumerate([5, 9]):
        fill_input(BLOCK_HASH, PUBLIC_KEY, nonce, stacked[i])
    assert torch.equal(batch.inputs, torch.tensor(stacked, dtype=torch.float16))
    assert batch.nonces.tolist() == [5, 9] and batch.permutations.shape == (2, devnet.vocab_size)


def test_rope_table_shape_and_first_rows(devnet) -> None:
    table = rope_table(devnet)
    assert table.shape == (2 * devnet.seq_len, devnet.head_dim // 2, 2) and table.dtype == torch.float32
    assert torch.equal(table[0, :, 0], torch.ones(devnet.head_dim // 2))
    assert torch.equal(table[0, :, 1], torch.zeros(devnet.head_dim // 2))
    assert table[1, 0, 0] == torch.tensor(1.0).cos() and table[1, 0, 1] == torch.tensor(1.0).sin()


def test_logits_depend_only_on_earlier_positions() -> None:
    model = build_model(TINY, "causal", torch.float32)
    inputs = prepare_batch(TINY, "causal", "pk", [0], torch.float32).inputs
    changed = inputs.clone()
    changed[0, 0] += 1.0  # first position feeds the last one
    with torch.inference_mode():
        assert not torch.equal(model(inputs), model(changed))
        hidden, hidden_changed = model.hidden_states(inputs), model.hidden_states(changed)
        changed_late = inputs.clone()
        changed_late[0, -1] += 1.0  # the last position cannot feed earlier ones
        assert torch.equal(model.hidden_states(changed_late)[0, :-1], hidden[0, :-1])
        assert not torch.equal(hidden_changed[0, 1:], hidden[0, 1:])


def test_grouped_kv_heads_run() -> None:
    model = build_model(TINY, "gqa", torch.float32)
    assert model.layers[0].attention.wk.weight.shape == (TINY.kv_heads * TINY.head_dim, TINY.dim)
    with torch.inference_mode():
        logits = model(prepare_batch(TINY, "gqa", "pk", [1, 2], torch.float32).inputs)
    assert logits.shape == (2, TINY.vocab_size) and torch.isfinite(logits).all()
