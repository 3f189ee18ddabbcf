"""Same blocks, same app hashes: across independent nodes, and when replaying the block store."""

from pathlib import Path

import pytest
from google.protobuf.message import Message

from node.chain.app.abci import BlockInput, FinalizeResult, Misbehavior
from node.chain.app.genesis import Genesis
from node.chain.app.models.defaults import DEVNET_MODEL_ID
from node.core.consensus_keys import consensus_address
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.proto.gonka.bank_pb2 import MsgSend
from node.proto.gonka.participants_pb2 import MlNode, MsgRegisterDeveloper, MsgRegisterParticipant

from .harness import ALICE, BOB, CAROL, DAVE, VALIDATOR_KEYS, Node, decode_block, make_genesis

HEIGHTS = 24  # crosses the devnet's first PoC start (20) and several stage boundaries


def workload(node: Node) -> list[BlockInput]:
    """Decide HEIGHTS blocks on `node` with mixed traffic; return them as the engine would have stored them."""
    sequences = {ALICE.address: 0, BOB.address: 0, CAROL.address: 0}

    def tx(key: AccountKey, *messages: Message) -> bytes:
        raw = node.sign(key, *messages, sequence=sequences[key.address])
        sequences[key.address] += 1
        return raw

    def send(src: AccountKey, dst: AccountKey, amount: int) -> MsgSend:
        return MsgSend(from_address=src.address, to_address=dst.address, amount=amount)

    for height in range(1, HEIGHTS + 1):
        txs = [tx(ALICE, send(ALICE, CAROL if height % 2 else DAVE, height * 1000))]
        if height == 3:
            txs.append(tx(CAROL, send(CAROL, BOB, 1)))
        if height == 5:
            host = MsgRegisterParticipant(
                creator=BOB.address,
                url="http://127.0.0.1:9010",
                consensus_public_key=VALIDATOR_KEYS[1].public_key,  # BOB's genesis key: an update
                models=[DEVNET_MODEL_ID],
                ml_nodes=[MlNode(node_id="n0")],
            )
            txs.append(tx(BOB, host))
        if height == 7:
            txs.append(tx(BOB, send(BOB, ALICE, 10**18)))  # fails, but consumes the sequence
        if height == 9:
            txs.append(tx(BOB, MsgRegisterDeveloper(creator=BOB.address, public_key=DAVE.public_key)))
        misbehavior = (
            (Misbehavior("duplicate_vote", consensus_address(VALIDATOR_KEYS[1].public_key), 10),)
            if height == 12
            else ()
        )
        node.run_block(txs, misbehavior)
    return [decode_block(node.blocks.load_block(height) or b"") for height in range(1, HEIGHTS + 1)]


def hashes(node: Node) -> list[bytes]:
    return [result.app_hash for result in results(node)]


def results(node: Node) -> list[FinalizeResult]:
    loaded = [node.blocks.load_results(height) for height in range(1, node.height + 1)]
    assert all(r is not None for r in loaded)
    return loaded  # type: ignore[return-value]


@pytest.fixture
def original(tmp_path: Path, genesis: Genesis) -> tuple[Node, list[BlockInput]]:
    node = Node(tmp_path / "original.db", genesis)
    return node, workload(node)


def test_workload_exercises_the_interesting_paths(original: tuple[Node, list[BlockInput]]) -> None:
    node, _ = original
    codes = {r.code for res in results(node) for r in res.tx_results}
    assert codes == {0, TxCode.INSUFFICIENT_FUNDS}
    block_events = {e.type for res in results(node) for e in res.events}
    assert block_events == {"epoch_stage", "validator_jailed"}
    assert len(set(hashes(node))) == HEIGHTS


def test_independent_nodes_agree_at_every_height(
    tmp_path: Path, genesis: Genesis, original: tuple[Node, list[BlockInput]]
) -> None:
    node, blocks = original
    other = Node(tmp_path / "other.db", genesis)
    assert other.genesis_app_hash == node.genesis_app_hash
    for block, expected in zip(blocks, results(node), strict=True):
        assert other.apply(block) == expected
    for path in ("validators", "participants", "supply", "epoch"):
        assert other.app.query(path, {}) == node.app.query(path, {})


def test_replaying_the_block_store_reproduces_every_app_hash(
    tmp_path: Path, genesis: Genesis, original: tuple[Node, list[BlockInput]]
) -> None:
    node, _ = original
    fresh = Node(tmp_path / "fresh.db", genesis)
    for height in range(1, node.height + 1):
        stored = node.blocks.load_block(height)
        assert stored is not None
        assert fresh.apply(decode_block(stored)).app_hash == hashes(node)[height - 1]
    assert fresh.app.info() == node.app.info()
    for key in (ALICE, BOB, CAROL, DAVE):
        assert fresh.account(key) == node.account(key)


def test_a_different_history_diverges(tmp_path: Path, original: tuple[Node, list[BlockInput]]) -> None:
    node, blocks = original
    other = Node(tmp_path / "other.db", make_genesis())
    other.apply(blocks[0])
    swapped = BlockInput(2, blocks[1].time_ms, blocks[1].hash, blocks[1].proposer_address, (), ())
    assert other.apply(swapped).app_hash != hashes(node)[1]


def test_finalize_persists_nothing_until_commit(node: Node) -> None:
    tx = node.sign(ALICE, MsgSend(from_address=ALICE.address, to_address=CAROL.address, amount=5))
    block = node.block_input([tx])
    first = node.app.finalize_block(block)
    assert node.app.info().last_height == 0
    assert node.balance(CAROL) == 0
    # The engine may run finalize again (e.g. after a failed save): same result.
    assert node.app.finalize_block(block) == first
    with pytest.raises(RuntimeError):
        with node.db.transaction():
            node.app.commit()
            raise RuntimeError("engine crashed before COMMIT")
    assert node.app.info().last_height == 0 and node.balance(CAROL) == 0
    assert node.app.finalize_block(block) == first
    node.app.commit()
    assert node.app.info().last_app_hash == first.app_hash
    assert node.balance(CAROL) == 5


def test_commit_and_finalize_misuse(node: Node) -> None:
    with pytest.raises(RuntimeError, match="without a finalized block"):
        node.app.commit()
    with pytest.raises(ValueError, match="next height is 1"):
        node.app.finalize_block(BlockInput(3, 0, b"h", b"p", (), ()))
    node.app.finalize_block(node.block_input([]))
    node.app.commit()
    with pytest.raises(RuntimeError):
        node.app.commit()
