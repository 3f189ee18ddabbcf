"""prepare_proposal and process_proposal."""

from dataclasses import replace

from node.core.keys import AccountKey
from node.core.tx import build_tx
from node.proto.gonka.bank_pb2 import MsgSend

from .harness import ALICE, BOB, CAROL, CHAIN_ID, GNK, Node


def send(src: AccountKey, dst: AccountKey, amount: int) -> MsgSend:
    return MsgSend(from_address=src.address, to_address=dst.address, amount=amount)


def test_prepare_keeps_order_and_drops_failing_txs(node: Node) -> None:
    a0 = node.sign(ALICE, send(ALICE, CAROL, 1), sequence=0)
    a1 = node.sign(ALICE, send(ALICE, CAROL, 2), sequence=1)
    a_gap = node.sign(ALICE, send(ALICE, CAROL, 3), sequence=5)
    b_broke = node.sign(BOB, send(BOB, CAROL, 11 * GNK))
    b_ok = node.sign(BOB, send(BOB, CAROL, 1))  # same sequence 0 as b_broke, which is dropped
    proposal = node.app.prepare_proposal([a0, b_broke, a1, a_gap, b"junk", b_ok], 1 << 20)
    assert proposal == [a0, a1, b_ok]


def test_prepare_drops_a_replay_of_committed_or_proposed_txs(node: Node) -> None:
    tx = node.sign(ALICE, send(ALICE, CAROL, 1))
    assert node.app.prepare_proposal([tx, tx], 1 << 20) == [tx]
    node.run_block([tx])
    assert node.app.prepare_proposal([tx], 1 << 20) == []


def test_prepare_respects_max_bytes(node: Node) -> None:
    txs = [node.sign(key, send(key, CAROL, 1)) for key in (ALICE, BOB)]
    assert node.app.prepare_proposal(txs, len(txs[0]) + len(txs[1]) - 1) == [txs[0]]
    assert node.app.prepare_proposal(txs, len(txs[0]) - 1) == []
    # A skipped big tx does not stop a smaller later one from fitting.
    big = build_tx(ALICE, CHAIN_ID, 0, 0, [send(ALICE, CAROL, 1)], memo="x" * 100)
    small = node.sign(BOB, send(BOB, CAROL, 1))
    assert node.app.prepare_proposal([big, small], len(small)) == [small]


def test_prepare_does_not_touch_the_mempool_state(node: Node) -> None:
    tx = node.sign(ALICE, send(ALICE, CAROL, 1))
    node.app.prepare_proposal([tx], 1 << 20)
    assert node.app.check_tx(tx).code == 0


def test_prepared_block_passes_process_proposal(node: Node) -> None:
    txs = [node.sign(key, send(key, CAROL, 1)) for key in (ALICE, BOB)]
    block = node.block_input(node.app.prepare_proposal(txs, 1 << 20))
    assert node.app.process_proposal(block)


def test_process_accepts_executable_failures_but_rejects_bad_blocks(node: Node) -> None:
    tx = node.sign(ALICE, send(ALICE, CAROL, 1))
    failing = node.sign(BOB, send(BOB, CAROL, 11 * GNK))
    assert node.app.process_proposal(node.block_input([tx, failing]))
    assert not node.app.process_proposal(node.block_input([tx, b"\x00garbage"]))
    assert not node.app.process_proposal(node.block_input([tx, tx]))
    assert not node.app.process_proposal(replace(node.block_input([tx]), height=5))
    too_big = b"\x0a" + b"\x00" * (3 << 20)
    assert not node.app.process_proposal(node.block_input([too_big]))


def test_process_is_pure(node: Node) -> None:
    tx = node.sign(ALICE, send(ALICE, CAROL, 1))
    block = node.block_input([tx])
    before = node.app.info()
    assert node.app.process_proposal(block) and node.app.process_proposal(block)
    assert node.app.info() == before
    assert node.app.check_tx(tx).code == 0
