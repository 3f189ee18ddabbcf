import os
from collections.abc import Iterator

import pytest
import torch

# Nothing in these tests may reach the Hugging Face hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _restore_torch_threads() -> Iterator[None]:
    """An in-process node sets torch's (process-wide) thread count for PoW; give it back."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)
