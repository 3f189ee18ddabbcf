import sqlite3
from pathlib import Path

import pytest

from node.chain.app.abci import Event, FinalizeResult, TxResult, ValidatorUpdate
from node.chain.store.block_store import BlockStore
from node.chain.store.db import ChainDB
from node.core.hashing import tx_hash


@pytest.fixture
def db(tmp_path: Path) -> ChainDB:
    return ChainDB(tmp_path / "chain.db")


@pytest.fixture
def blocks(db: ChainDB) -> BlockStore:
    return BlockStore(db)


def result(*codes: int, app_hash: bytes = b"\x01" * 32) -> FinalizeResult:
    return FinalizeResult(
        tx_results=tuple(
            TxResult(code, "" if code == 0 else "failed", (Event.of("transfer", amount=i),) if code == 0 else ())
            for i, code in enumerate(codes)
        ),
        events=(Event.of("epoch_stage", stage="poc_start", height=1),),
        validator_updates=(ValidatorUpdate(b"\x07" * 32, 0),),
        app_hash=app_hash,
    )


def save(blocks: BlockStore, height: int, txs: list[bytes], res: FinalizeResult | None = None) -> None:
    res = res if res is not None else result(*[0] * len(txs))
    blocks.save_block(height, bytes([height]) * 32, b"block-%d" % height, b"commit-%d" % height, txs, res)


def test_empty_store(blocks: BlockStore) -> None:
    assert blocks.latest_height() == 0
    assert blocks.load_block(1) is None
    assert blocks.load_results(1) is None
    assert blocks.find_tx("AB" * 32) is None


def test_save_and_load_round_trip(blocks: BlockStore) -> None:
    res = result(0, 5)
    save(blocks, 1, [b"tx-a", b"tx-b"], res)
    assert blocks.latest_height() == 1
    assert blocks.load_block(1) == b"block-1"
    assert blocks.load_commit(1) == b"commit-1"
    assert blocks.load_block_hash(1) == b"\x01" * 32
    assert blocks.load_txs(1) == [b"tx-a", b"tx-b"]
    assert blocks.load_results(1) == res


def test_tx_index(blocks: BlockStore) -> None:
    save(blocks, 1, [b"tx-a"])
    save(blocks, 2, [b"tx-b", b"tx-a"], result(0, 32))  # tx-a replayed and failed
    found = blocks.find_tx(tx_hash(b"tx-b").lower())
    assert found is not None
    assert (found.height, found.index, found.code, found.tx) == (2, 0, 0, b"tx-b")
    assert found.events == (Event.of("transfer", amount=0),)
    first = blocks.find_tx(tx_hash(b"tx-a"))
    assert first is not None and (first.height, first.index, first.code) == (1, 0, 0)


def test_heights_must_be_consecutive(blocks: BlockStore) -> None:
    with pytest.raises(ValueError, match="next height is 1"):
        save(blocks, 2, [])
    save(blocks, 1, [])
    for bad in (1, 3, True):
        with pytest.raises(ValueError):
            save(blocks, bad, [])  # type: ignore[arg-type]
    assert blocks.latest_height() == 1


def test_bad_input_changes_nothing(blocks: BlockStore) -> None:
    with pytest.raises(ValueError, match="1 txs but 2 tx results"):
        save(blocks, 1, [b"tx"], result(0, 0))
    with pytest.raises(ValueError, match="block_hash"):
        blocks.save_block(1, b"", b"b", b"c", [], result())
    with pytest.raises(ValueError, match="tx must be"):
        save(blocks, 1, [b""], result(0))
    assert blocks.latest_height() == 0


def test_failed_save_inside_engine_transaction_leaves_no_rows(db: ChainDB, blocks: BlockStore) -> None:
    with pytest.raises(RuntimeError):
        with db.transaction():
            save(blocks, 1, [b"tx-a"])
            raise RuntimeError("app.commit failed")
    assert blocks.latest_height() == 0
    assert blocks.find_tx(tx_hash(b"tx-a")) is None


def test_duplicate_block_hash_is_refused_atomically(blocks: BlockStore) -> None:
    save(blocks, 1, [])
    with pytest.raises(sqlite3.IntegrityError):
        blocks.save_block(2, b"\x01" * 32, b"b", b"c", [b"tx"], result(0))
    assert blocks.latest_height() == 1
    assert blocks.find_tx(tx_hash(b"tx")) is None


def test_replace_commit(blocks: BlockStore) -> None:
    save(blocks, 1, [])
    blocks.replace_commit(1, b"better-commit")
    assert blocks.load_commit(1) == b"better-commit"
    with pytest.raises(ValueError, match="no block"):
        blocks.replace_commit(2, b"x")
    with pytest.raises(ValueError):
        blocks.replace_commit(1, b"")
    assert blocks.load_commit(1) == b"better-commit"


def test_heights_beyond_sqlite_integers_are_simply_absent(tmp_path) -> None:
    # found by tests/faults/test_fuzz_node.py: GetBlock(2**63) crashed the RPC with OverflowError
    from node.chain.store.block_store import BlockStore
    from node.chain.store.db import ChainDB

    store = BlockStore(ChainDB(tmp_path / "chain.sqlite"))
    for height in (2**63, 2**64 - 1, 0, -1):
        assert store.load_block(height) is None
        assert store.load_results(height) is None
