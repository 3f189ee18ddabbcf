"""The consensus write-ahead log: every consensus input of the current height, in order.

Record layout: 4-byte big-endian payload length, 4-byte CRC-32 of the payload, payload.
The payload's first byte is the record kind. After a crash the tail may be torn (a
partial or corrupt last record): opening the log keeps every record up to the last
good one, saves the damaged file beside it for inspection, and goes on — a torn tail
is repaired, never fatal.

Own votes and proposals are appended with `sync=True` before they leave the node; other
records are flushed to the OS only (losing them on power loss just means re-receiving
them from peers).
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from enum import IntEnum
from pathlib import Path

_HEADER = struct.Struct(">II")
MAX_RECORD_BYTES = 64 << 20
ROTATE_BYTES = 10 << 20


class RecordKind(IntEnum):
    MESSAGE = 1  # a consensus Envelope (received or own)
    TIMEOUT = 2  # a timeout that fired: kind, round
    END_HEIGHT = 3  # height committed: 8-byte height


class ConsensusWAL:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.records = self._load_and_repair()
        self._file = open(path, "ab")

    def _load_and_repair(self) -> list[tuple[RecordKind, bytes]]:
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        records: list[tuple[RecordKind, bytes]] = []
        offset = 0
        while offset + _HEADER.size <= len(data):
            length, checksum = _HEADER.unpack_from(data, offset)
            start = offset + _HEADER.size
            payload = data[start : start + length]
            if length == 0 or length > MAX_RECORD_BYTES or len(payload) < length or zlib.crc32(payload) != checksum:
                break
            try:
                kind = RecordKind(payload[0])
            except ValueError:
                break
            records.append((kind, payload[1:]))
            offset = start + length
        if offset != len(data):
            shutil.copyfile(self.path, self.path.with_suffix(".corrupt"))
            with open(self.path, "r+b") as handle:
                handle.truncate(offset)
                handle.flush()
                os.fsync(handle.fileno())
        return records

    def append(self, kind: RecordKind, body: bytes, sync: bool = False) -> None:
        payload = bytes([kind]) + body
        self._file.write(_HEADER.pack(len(payload), zlib.crc32(payload)) + payload)
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())

    def end_height(self, height: int) -> None:
        self.append(RecordKind.END_HEIGHT, height.to_bytes(8, "big"), sync=True)
        if self._file.tell() > ROTATE_BYTES:
            self._rotate(height)

    def records_after(self, height: int) -> list[tuple[RecordKind, bytes]]:
        """Records written after height `height` was committed (the inputs of height + 1)."""
        marker = height.to_bytes(8, "big")
        last_marker = -1
        for index, (kind, body) in enumerate(self.records):
            if kind is RecordKind.END_HEIGHT and body == marker:
                last_marker = index
        if last_marker < 0:
            return [(k, b) for k, b in self.records if k is not RecordKind.END_HEIGHT] if height == 0 else []
        return [(k, b) for k, b in self.records[last_marker + 1 :] if k is not RecordKind.END_HEIGHT]

    def _rotate(self, height: int) -> None:
        """Start a fresh file holding only the latest end-height marker (atomic rename)."""
        self._file.close()
        fresh = self.path.with_suffix(".new")
        payload = bytes([RecordKind.END_HEIGHT]) + height.to_bytes(8, "big")
        with open(fresh, "wb") as handle:
            handle.write(_HEADER.pack(len(payload), zlib.crc32(payload)) + payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(fresh, self.path)
        self._file = open(self.path, "ab")

    def close(self) -> None:
        self._file.close()
