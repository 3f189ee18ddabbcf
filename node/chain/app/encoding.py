"""How app state values are encoded: fixed-width integers and deterministic protobuf.

Also turns protobuf records into JSON-able dicts for queries: ints stay ints
(protobuf's own json_format writes 64-bit ints as strings), bytes become hex,
enums their names, and every field is present, defaults included.
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from node.chain.store.overlay import KVReader, Overlay

U64_MAX = (1 << 64) - 1
M = TypeVar("M", bound=Message)


def encode_u64(value: int) -> bytes:
    return value.to_bytes(8, "big")


def decode_u64(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


def load_u64(kv: KVReader, key: bytes) -> int:
    """An absent counter or balance reads as 0."""
    raw = kv.get(key)
    return 0 if raw is None else decode_u64(raw)


def load_proto(kv: KVReader, key: bytes, message_class: type[M]) -> M | None:
    raw = kv.get(key)
    if raw is None:
        return None
    message: M = message_class()
    message.ParseFromString(raw)
    return message


def load_all(kv: KVReader, prefix: bytes, message_class: type[M]) -> list[M]:
    """Every record under `prefix`, in key order."""
    messages = []
    for _, raw in kv.prefix_items(prefix):
        message = message_class()
        message.ParseFromString(raw)
        messages.append(message)
    return messages


def store_proto(kv: Overlay, key: bytes, message: Message) -> None:
    kv.set(key, message.SerializeToString(deterministic=True))


def _field_value(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return to_jsonable(value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return value.hex()
    if field.type == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values_by_number[value].name
    return value


def to_jsonable(message: Message) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.is_repeated:
            result[field.name] = [_field_value(field, item) for item in value]
        else:
            result[field.name] = _field_value(field, value)
    return result
