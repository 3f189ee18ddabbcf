from pathlib import Path

import pytest

from node.chain.store.db import ChainDB
from node.chain.store.overlay import Overlay
from node.chain.store.state_store import GENESIS_PARENT_HASH, StateStore, chain_app_hash, diff_hash
from node.core.hashing import sha256


@pytest.fixture
def db(tmp_path: Path) -> ChainDB:
    return ChainDB(tmp_path / "chain.db")


@pytest.fixture
def store(db: ChainDB) -> StateStore:
    return StateStore(db)


def commit(store: StateStore, height: int, writes: dict[bytes, bytes | None]) -> bytes:
    return store.commit(height, sorted(writes.items()))


def test_empty_store(store: StateStore) -> None:
    assert store.last_height is None
    assert store.last_app_hash == b""
    assert store.get(b"k") is None


def test_commit_writes_and_deletes(store: StateStore) -> None:
    commit(store, 0, {b"a": b"1", b"b": b"2"})
    commit(store, 1, {b"a": None, b"c": b""})
    assert store.get(b"a") is None
    assert store.get(b"b") == b"2"
    assert store.get(b"c") == b""  # an empty value is a value, not a deletion
    assert store.last_height == 1


def test_heights_must_be_consecutive_and_a_refused_commit_changes_nothing(store: StateStore) -> None:
    with pytest.raises(ValueError, match="next height is 0"):
        commit(store, 1, {b"a": b"1"})
    commit(store, 0, {b"a": b"1"})
    with pytest.raises(ValueError, match="next height is 1"):
        commit(store, 2, {b"a": b"2"})
    assert store.get(b"a") == b"1"
    assert store.last_height == 0


def test_unsorted_or_duplicate_writes_are_refused(store: StateStore) -> None:
    with pytest.raises(ValueError, match="sorted"):
        store.commit(0, [(b"b", b"1"), (b"a", b"1")])
    with pytest.raises(ValueError, match="sorted"):
        store.commit(0, [(b"a", b"1"), (b"a", b"2")])
    assert store.last_height is None


def test_prefix_iteration_is_ordered_and_bounded(store: StateStore) -> None:
    keys = [b"acc/b", b"acc/a", b"acc0", b"ac", b"acc/\xff\xff", b"acc\xff", b"b"]
    commit(store, 0, {key: key.upper() for key in keys})
    assert [k for k, _ in store.prefix_items(b"acc/")] == [b"acc/a", b"acc/b", b"acc/\xff\xff"]
    assert store.prefix_items(b"acc/a") == [(b"acc/a", b"ACC/A")]
    assert [k for k, _ in store.prefix_items(b"acc\xff")] == [b"acc\xff"]
    assert [k for k, _ in store.prefix_items(b"\xff")] == []
    assert len(store.prefix_items(b"")) == len(keys)


def test_overlay_writes_are_invisible_until_commit(tmp_path: Path, store: StateStore) -> None:
    commit(store, 0, {b"k/1": b"old", b"k/2": b"two"})
    pending = Overlay(store)
    pending.set(b"k/1", b"new")
    pending.delete(b"k/2")
    pending.set(b"k/3", b"three")
    assert pending.get(b"k/1") == b"new"
    assert pending.prefix_items(b"k/") == [(b"k/1", b"new"), (b"k/3", b"three")]
    # Neither this store nor another process's view sees the pending writes.
    other = StateStore(ChainDB(tmp_path / "chain.db"))
    for view in (store, other):
        assert view.prefix_items(b"k/") == [(b"k/1", b"old"), (b"k/2", b"two")]
    store.commit(1, pending.writes())
    assert other.prefix_items(b"k/") == [(b"k/1", b"new"), (b"k/3", b"three")]


def test_child_overlay_is_dropped_or_absorbed(store: StateStore) -> None:
    block = Overlay(store)
    block.set(b"a", b"1")
    failed = block.child()
    failed.set(b"a", b"2")
    failed.set(b"b", b"2")
    assert failed.get(b"a") == b"2"
    assert block.get(b"b") is None  # a dropped child leaves no trace
    succeeded = block.child()
    succeeded.delete(b"a")
    block.absorb(succeeded)
    assert block.writes() == [(b"a", None)]
    with pytest.raises(ValueError):
        block.absorb(Overlay(store))


def test_overlay_rejects_non_bytes(store: StateStore) -> None:
    overlay = Overlay(store)
    with pytest.raises(TypeError):
        overlay.set("a", b"1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        overlay.set(b"", b"1")
    with pytest.raises(TypeError):
        overlay.set(b"a", 1)  # type: ignore[arg-type]
    assert overlay.writes() == []


def test_app_hash_chains_over_sorted_diffs(store: StateStore) -> None:
    writes0 = [(b"a", b"1"), (b"b", None)]
    writes1 = [(b"a", b"2")]
    genesis_hash = store.commit(0, writes0)
    assert genesis_hash == sha256(GENESIS_PARENT_HASH + diff_hash(writes0))
    assert store.next_app_hash(writes1) == chain_app_hash(genesis_hash, writes1)
    assert store.commit(1, writes1) == sha256(genesis_hash + diff_hash(writes1))
    assert store.last_app_hash == chain_app_hash(genesis_hash, writes1)


def test_app_hash_is_deterministic_and_sensitive(tmp_path: Path) -> None:
    def run(name: str, history: list[dict[bytes, bytes | None]]) -> list[bytes]:
        store = StateStore(ChainDB(tmp_path / name))
        hashes = []
        for height, writes in enumerate(history):
            overlay = Overlay(store)
            for key, value in writes.items():  # insertion order must not matter
                overlay.delete(key) if value is None else overlay.set(key, value)
            hashes.append(store.commit(height, overlay.writes()))
        return hashes

    history: list[dict[bytes, bytes | None]] = [{b"x": b"1", b"y": b"2"}, {b"y": None}, {}]
    same = run("a.db", history)
    assert same == run("b.db", [dict(reversed(list(w.items()))) for w in history])
    assert len(set(same)) == 3  # even an empty block moves the chain
    changed_value: dict[bytes, bytes | None] = {b"x": b"1", b"y": b"3"}
    assert run("c.db", [changed_value, *history[1:]])[0] != same[0]
    empty_instead_of_deleted: dict[bytes, bytes | None] = {b"y": b""}
    assert run("d.db", [history[0], empty_instead_of_deleted, {}])[1] != same[1]
    # Length prefixes keep (b"x", b"1") and (b"x1", b"") apart.
    shifted_boundary: dict[bytes, bytes | None] = {b"x1": b"", b"y": b"2"}
    assert run("e.db", [shifted_boundary, *history[1:]])[0] != same[0]


def test_commit_joins_the_callers_transaction(db: ChainDB, store: StateStore) -> None:
    commit(store, 0, {b"a": b"1"})
    with pytest.raises(RuntimeError):
        with db.transaction():
            commit(store, 1, {b"a": b"2"})
            raise RuntimeError("engine failed to save the block")
    assert store.get(b"a") == b"1"
    assert store.last_height == 0
