"""The consensus WAL: records survive reopening; a torn or corrupt tail is cut, never fatal."""

from __future__ import annotations

from pathlib import Path

from node.chain.consensus.wal import ConsensusWAL, RecordKind


def _write(path: Path) -> None:
    wal = ConsensusWAL(path)
    wal.append(RecordKind.MESSAGE, b"height-1-vote")
    wal.end_height(1)
    wal.append(RecordKind.MESSAGE, b"height-2-proposal", sync=True)
    wal.append(RecordKind.TIMEOUT, b"height-2-timeout")
    wal.close()


def test_records_of_the_current_height_are_replayed(tmp_path: Path) -> None:
    path = tmp_path / "consensus.wal"
    _write(path)
    wal = ConsensusWAL(path)
    assert wal.records_after(1) == [(RecordKind.MESSAGE, b"height-2-proposal"), (RecordKind.TIMEOUT, b"height-2-timeout")]
    assert wal.records_after(2) == []


def test_torn_tail_is_repaired_and_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "consensus.wal"
    _write(path)
    intact = path.read_bytes()
    for cut in range(1, 12):
        path.write_bytes(intact[:-cut])
        wal = ConsensusWAL(path)
        # the last record is gone, everything before it is kept
        assert wal.records_after(1) == [(RecordKind.MESSAGE, b"height-2-proposal")]
        assert path.with_suffix(".corrupt").exists()
        wal.append(RecordKind.MESSAGE, b"after-repair")
        wal.close()
        assert ConsensusWAL(path).records_after(1)[-1] == (RecordKind.MESSAGE, b"after-repair")


def test_flipped_bit_stops_replay_at_the_damaged_record(tmp_path: Path) -> None:
    path = tmp_path / "consensus.wal"
    _write(path)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    path.write_bytes(bytes(data))
    assert ConsensusWAL(path).records_after(1) == [(RecordKind.MESSAGE, b"height-2-proposal")]


def test_rotation_keeps_only_the_latest_height(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("node.chain.consensus.wal.ROTATE_BYTES", 10)
    path = tmp_path / "consensus.wal"
    wal = ConsensusWAL(path)
    wal.append(RecordKind.MESSAGE, b"x" * 100)
    wal.end_height(7)
    wal.append(RecordKind.MESSAGE, b"next")
    wal.close()
    reopened = ConsensusWAL(path)
    assert reopened.records == [(RecordKind.END_HEIGHT, (7).to_bytes(8, "big")), (RecordKind.MESSAGE, b"next")]
