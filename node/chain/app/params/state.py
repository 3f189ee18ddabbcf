"""Where Params live in app state (written at genesis)."""

from __future__ import annotations

from node.chain.app.encoding import load_proto, store_proto
from node.chain.store.overlay import KVReader, Overlay
from node.proto.gonka.params_pb2 import Params

PARAMS_KEY = b"params"


def load_params(kv: KVReader) -> Params:
    params = load_proto(kv, PARAMS_KEY, Params)
    if params is None:
        raise RuntimeError("params are not in state: init_chain has not run")
    return params


def store_params(kv: Overlay, params: Params) -> None:
    store_proto(kv, PARAMS_KEY, params)
