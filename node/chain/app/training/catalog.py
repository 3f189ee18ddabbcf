"""The training models and datasets a task may name.

The ML side builds each id (node/ml/training/model.py MODELS, node/ml/training/data.py
DATASETS); tests/unit/training/test_catalog.py keeps the two lists equal. The chain only
checks names: an unknown one would leave every worker unable to start.
"""

from __future__ import annotations

TRAINING_MODELS: frozenset[str] = frozenset({"tiny-llama", "small-llama"})
TRAINING_DATASETS: frozenset[str] = frozenset({"kjv-pentateuch"})
