"""In-memory write layers over a key-value reader.

The app stacks them: committed state <- block overlay (finalize_block's
pending writes) <- tx overlay (one tx's message effects, merged on success,
dropped on failure). The mempool's check-state and prepare_proposal's scratch
state are overlays over committed state too. Nothing reaches the database
until StateStore.commit() is handed the block overlay's writes.
"""

from __future__ import annotations

from typing import Protocol

Write = tuple[bytes, bytes | None]  # (key, value); None deletes the key


class KVReader(Protocol):
    def get(self, key: bytes) -> bytes | None: ...

    def prefix_items(self, prefix: bytes) -> list[tuple[bytes, bytes]]:
        """All live (key, value) pairs whose key starts with `prefix`, sorted by key."""
        ...


def check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or not key:
        raise TypeError(f"state keys are non-empty bytes, got {key!r}")


class Overlay:
    """Pending writes over `parent`; reads see these writes first."""

    def __init__(self, parent: KVReader) -> None:
        self._parent = parent
        self._writes: dict[bytes, bytes | None] = {}

    def get(self, key: bytes) -> bytes | None:
        if key in self._writes:
            return self._writes[key]
        return self._parent.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        check_key(key)
        if not isinstance(value, bytes):
            raise TypeError(f"state values are bytes, got {type(value).__name__}")
        self._writes[key] = value

    def delete(self, key: bytes) -> None:
        check_key(key)
        self._writes[key] = None

    def prefix_items(self, prefix: bytes) -> list[tuple[bytes, bytes]]:
        merged = dict(self._parent.prefix_items(prefix))
        for key, value in self._writes.items():
            if key.startswith(prefix):
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
        return sorted(merged.items())

    def child(self) -> Overlay:
        return Overlay(self)

    def absorb(self, child: Overlay) -> None:
        """Take over a child's writes (a tx that succeeded)."""
        if child._parent is not self:
            raise ValueError("can only absorb an overlay created by child()")
        self._writes.update(child._writes)

    def writes(self) -> list[Write]:
        """The pending writes sorted by key: the state diff of this layer."""
        return sorted(self._writes.items())
