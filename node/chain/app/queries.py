"""Read-only queries over committed state: shared types and argument parsing.

Each module exposes `QUERIES = {path: handler}`; a handler takes a
QueryContext and the JSON params object and returns a JSON-able dict with
integers as integers. Bad arguments raise QueryError("invalid_argument"),
missing records QueryError("not_found"); the gRPC layer maps those codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from node.chain.store.overlay import KVReader
from node.core.errors import InvalidAddress
from node.core.keys import decode_address
from node.proto.gonka.params_pb2 import Params

QueryErrorCode = Literal["invalid_argument", "not_found"]


class QueryError(ValueError):
    def __init__(self, code: QueryErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class QueryContext:
    kv: KVReader  # committed state
    last_height: int
    params: Params


QueryHandler = Callable[[QueryContext, dict[str, Any]], dict[str, Any]]


def check_params(params: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise QueryError("invalid_argument", "query params must be a JSON object")
    unknown = params.keys() - allowed
    if unknown:
        raise QueryError("invalid_argument", f"unknown query params {sorted(unknown)}")
    return params


def address_param(params: Any) -> str:
    address = check_params(params, {"address"}).get("address")
    if address is None:
        raise QueryError("invalid_argument", "missing param 'address'")
    try:
        decode_address(address)
    except InvalidAddress as exc:
        raise QueryError("invalid_argument", str(exc)) from None
    return str(address)


def int_param(params: dict[str, Any], name: str) -> int:
    """A required non-negative integer param."""
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise QueryError("invalid_argument", f"{name} must be a non-negative integer, got {value!r}")
    return value


def string_param(params: dict[str, Any], name: str) -> str:
    """A required non-empty string param."""
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise QueryError("invalid_argument", f"{name} must be a non-empty string, got {value!r}")
    return value
