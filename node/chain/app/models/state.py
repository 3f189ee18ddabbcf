"""The model registry in app state.

Keys:
    models/<model id>   Model
"""

from __future__ import annotations

from collections.abc import Iterable

from node.chain.app.encoding import load_all, load_proto, store_proto
from node.chain.store.overlay import KVReader, Overlay
from node.proto.gonka.models_pb2 import Model

MODEL_PREFIX = b"models/"


def get_model(kv: KVReader, model_id: str) -> Model | None:
    return load_proto(kv, MODEL_PREFIX + model_id.encode(), Model)


def all_models(kv: KVReader) -> list[Model]:
    """Ordered by id."""
    return load_all(kv, MODEL_PREFIX, Model)


def init_genesis(kv: Overlay, models: Iterable[Model]) -> None:
    for model in models:
        store_proto(kv, MODEL_PREFIX + model.id.encode(), model)
