"""Ledger.sync over real gRPC: catch up, resume, follow until stopped, fill stream gaps, refuse
another chain, and report an unreachable or vanished node in one line."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from gonka_lab.ledger import Ledger, LedgerError, SyncProgress
from node.devnet.ports import free_ports
from node.devnet.supervisor import wait_for
from node.proto.gonka import chain_pb2 as pb

from .recorded_chain import RecordedChain
from .test_indexing import events_in, index, snapshot

DEADLINE_S = 60.0  # generous: the machine is shared and may be very busy


class Follower(threading.Thread):
    """`ledger.sync(url, follow=True)` in a thread, keeping its result or its error."""

    def __init__(self, ledger: Ledger, url: str) -> None:
        super().__init__(name="follower")
        self.ledger, self.url = ledger, url
        self.stop = threading.Event()
        self.result: SyncProgress | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.ledger.sync(self.url, follow=True, stop=self.stop)
        except BaseException as error:  # reported by the test
            self.error = error

    def end(self) -> None:
        self.stop.set()
        self.join(DEADLINE_S)
        assert not self.is_alive(), "the follower did not stop"


def test_sync_catches_up_then_resumes(db: Path, tmp_path: Path, infos: list[pb.BlockInfo],
                                      blocks: list[dict[str, Any]]) -> None:
    seen: list[SyncProgress] = []
    with RecordedChain(infos, published=60) as chain:
        ledger = Ledger(db)
        done = ledger.sync(chain.url, progress=seen.append, batch_blocks=25, batch_events=30)
        assert (done.height, done.target, done.blocks) == (60, 60, 60) and ledger.height == 60
        assert seen[-1].height == 60 and [p.height for p in seen] == sorted(p.height for p in seen)
        # no transaction went past its bounds: before its last block it held < 25 blocks and < 30 events
        events = {block["height"]: events_in(block) for block in blocks}
        for before, after in zip(seen, seen[1:]):
            assert after.height - before.height <= 25
            assert after.height == before.height or after.events - before.events - events[after.height] < 30
        assert ledger.sync(chain.url).blocks == 0  # nothing new: nothing indexed twice
        chain.publish(len(infos))
        assert ledger.sync(chain.url).blocks == len(infos) - 60
    assert snapshot(ledger) == snapshot(index(tmp_path / "direct.duckdb", blocks))


def test_follow_indexes_new_blocks_until_stopped_and_lets_others_read(db: Path, infos: list[pb.BlockInfo]) -> None:
    ledger = Ledger(db)
    with RecordedChain(infos, published=10) as chain:
        follower = Follower(ledger, chain.url)
        follower.start()
        try:
            for height in (30, 55, len(infos)):
                chain.publish(height)
                reached = wait_for(lambda h=height: ledger.height >= h or not follower.is_alive(), DEADLINE_S, 0.05)
                assert reached and follower.error is None, f"not at {height}: {follower.error!r}"
            # another process reads the file between two blocks of the follower
            reader = subprocess.run(
                [sys.executable, "-m", "gonka_lab.cli", "ledger", "sql", "SELECT height FROM ledger_cursor",
                 "--db", str(db), "--csv"], capture_output=True, text=True, timeout=DEADLINE_S,
            )
            assert reader.returncode == 0, reader.stderr
            assert reader.stdout.split() == ["height", str(len(infos))]
        finally:
            follower.end()
    assert follower.error is None and follower.result is not None and follower.result.height == len(infos)


def test_blocks_the_stream_skips_are_fetched(db: Path, infos: list[pb.BlockInfo], blocks: list[dict[str, Any]],
                                             tmp_path: Path) -> None:
    with RecordedChain(infos, published=len(infos), stream_skips=frozenset({1, 30, 31, 77})) as chain:
        ledger = Ledger(db)
        assert ledger.sync(chain.url).height == len(infos)
    assert snapshot(ledger) == snapshot(index(tmp_path / "direct.duckdb", blocks))


def test_a_node_of_another_chain_is_refused(db: Path, infos: list[pb.BlockInfo]) -> None:
    with RecordedChain(infos, published=20) as chain:
        Ledger(db).sync(chain.url)
    with RecordedChain(infos, published=40, chain_id="other-chain") as other:
        with pytest.raises(LedgerError, match="indexes chain 'test-chain', but .* serves 'other-chain'"):
            Ledger(db).sync(other.url)
    assert Ledger(db).height == 20


def test_an_unreachable_or_vanishing_node_is_one_clear_line(db: Path, infos: list[pb.BlockInfo]) -> None:
    (port,) = free_ports(1)
    with pytest.raises(LedgerError, match="unreachable") as unreachable:
        Ledger(db).sync(f"127.0.0.1:{port}")
    assert "\n" not in str(unreachable.value)
    ledger = Ledger(db)
    chain = RecordedChain(infos, published=20).__enter__()
    follower = Follower(ledger, chain.url)
    follower.start()
    try:
        assert wait_for(lambda: ledger.height == 20 or not follower.is_alive(), DEADLINE_S, 0.05), follower.error
        chain.stop()
        follower.join(DEADLINE_S)
    finally:
        chain.stop()
        follower.end()
    assert isinstance(follower.error, LedgerError), repr(follower.error)
    assert str(follower.error).startswith("sync stopped at height 20: "), follower.error
    assert ledger.height == 20 and ledger.counts()["blocks"] == 20
