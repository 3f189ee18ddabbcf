import json
from pathlib import Path

import pytest
import torch

from node.ml.pow.engine import PowEngine
from node.ml.pow.params import PowParams

GOLDEN = json.loads((Path(__file__).parent / "golden_pow.json").read_text())
BLOCK_HASH = GOLDEN["block_hash"]
PUBLIC_KEY = GOLDEN["public_key"]

# A model small enough to build in milliseconds, with grouped KV heads and a small vocabulary.
TINY = PowParams(
    dim=64, n_layers=2, n_heads=4, n_kv_heads=2, vocab_size=300, ffn_dim_multiplier=1.3,
    multiple_of=256, norm_eps=1e-5, rope_theta=10000.0, use_scaled_rope=False, seq_len=8,
)


@pytest.fixture(scope="session")
def devnet() -> PowParams:
    return PowParams.named("devnet")


@pytest.fixture(scope="session")
def engine(devnet: PowParams) -> PowEngine:
    return PowEngine(devnet, BLOCK_HASH, PUBLIC_KEY)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Run these tests on one torch thread and restore the setting afterwards.

    Two OpenMP threads on a busy 2-core machine can make one small forward pass take a second;
    thread-count independence is tested explicitly, in subprocesses, by test_pow_determinism.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
