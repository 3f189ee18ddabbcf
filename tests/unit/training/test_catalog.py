"""The chain accepts exactly the models and datasets the ML side can build."""

from node.chain.app.training.catalog import TRAINING_DATASETS, TRAINING_MODELS
from node.ml.training.data import DATA_DIR, DATASETS
from node.ml.training.model import MODELS


def test_chain_catalog_matches_what_the_ml_node_builds() -> None:
    assert set(MODELS) == TRAINING_MODELS
    assert set(DATASETS) == TRAINING_DATASETS


def test_shipped_datasets_are_small_files_in_the_repository() -> None:
    for file_name in DATASETS.values():
        path = DATA_DIR / file_name
        assert 100_000 < path.stat().st_size < 2_000_000
