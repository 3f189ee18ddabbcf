"""Tx authentication in check_tx and finalize_block: sequences, signatures, signers."""

from google.protobuf.wrappers_pb2 import StringValue

from node.chain.app.auth import SignatureCache
from node.chain.app.context import BlockContext
from node.chain.app.execution import Admission, run_tx
from node.chain.app.modules import ROUTES
from node.chain.app.router import Router
from node.chain.store.overlay import Overlay
from node.chain.store.state_store import StateStore
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.core.tx import build_tx, decode_tx, register_message
from node.proto.gonka.bank_pb2 import MsgSend

from .harness import ALICE, BOB, CAROL, CHAIN_ID, Node, make_genesis

U64_MAX = 2**64 - 1


def send(src: AccountKey, dst: AccountKey, amount: int = 1) -> MsgSend:
    return MsgSend(from_address=src.address, to_address=dst.address, amount=amount)


def state_snapshot(node: Node) -> list[tuple[bytes, bytes]]:
    return StateStore(node.db).prefix_items(b"")


def test_valid_tx_is_accepted_and_executed(node: Node) -> None:
    tx = node.sign(ALICE, send(ALICE, CAROL, 7))
    check = node.app.check_tx(tx)
    assert (check.code, check.sender, check.sequence) == (0, ALICE.address, 0)
    result = node.run_block([tx])
    assert result.tx_results[0].code == 0
    assert node.balance(CAROL) == 7
    assert node.account(ALICE)["sequence"] == 1


def test_replayed_tx_is_rejected_with_wrong_sequence(node: Node) -> None:
    tx = node.sign(ALICE, send(ALICE, CAROL, 7))
    node.run_block([tx])
    assert node.app.check_tx(tx).code == TxCode.WRONG_SEQUENCE
    replay = node.run_block([tx]).tx_results[0]
    assert replay.code == TxCode.WRONG_SEQUENCE
    assert node.balance(CAROL) == 7
    assert node.account(ALICE)["sequence"] == 1


def test_sequence_gap_is_rejected(node: Node) -> None:
    assert node.app.check_tx(node.sign(ALICE, send(ALICE, CAROL), sequence=1)).code == TxCode.WRONG_SEQUENCE


def test_check_state_queues_an_accounts_txs_in_order(node: Node) -> None:
    first = node.sign(ALICE, send(ALICE, CAROL), sequence=0)
    second = node.sign(ALICE, send(ALICE, CAROL), sequence=1)
    assert node.app.check_tx(second).code == TxCode.WRONG_SEQUENCE
    assert node.app.check_tx(first).code == 0
    assert node.app.check_tx(second).code == 0
    assert node.app.check_tx(first).code == TxCode.WRONG_SEQUENCE  # already pending
    # Commit resets the check state from committed state: only `first` made it in.
    node.run_block([first])
    assert node.app.check_tx(second).code == 0


def test_failed_check_changes_nothing(node: Node) -> None:
    before = state_snapshot(node)
    too_much = node.sign(ALICE, send(ALICE, CAROL, U64_MAX))
    assert node.app.check_tx(too_much).code == TxCode.INSUFFICIENT_FUNDS
    # The failed tx did not consume sequence 0 in the check state either.
    assert node.app.check_tx(node.sign(ALICE, send(ALICE, CAROL), sequence=0)).code == 0
    assert state_snapshot(node) == before  # check_tx never touches committed state


def test_bad_signature_is_unauthorized(node: Node) -> None:
    tx = bytearray(node.sign(ALICE, send(ALICE, CAROL)))
    tx[-5] ^= 0x01  # inside the signature, which is the last field
    result = node.app.check_tx(bytes(tx))
    assert result.code == TxCode.UNAUTHORIZED
    assert node.run_block([bytes(tx)]).tx_results[0].code == TxCode.UNAUTHORIZED
    assert node.account(ALICE)["sequence"] == 0  # a bad signature does not consume the sequence


def test_wrong_chain_id_is_unauthorized(node: Node) -> None:
    tx = node.sign(ALICE, send(ALICE, CAROL), chain_id="other-chain")
    assert node.app.check_tx(tx).code == TxCode.UNAUTHORIZED


def test_wrong_account_number_is_unauthorized(node: Node) -> None:
    assert node.account(ALICE)["account_number"] == 0
    tx = node.sign(ALICE, send(ALICE, CAROL), account_number=1)
    result = node.app.check_tx(tx)
    assert result.code == TxCode.UNAUTHORIZED
    assert "account number 0" in result.log


def test_unknown_message_type(node: Node) -> None:
    register_message(StringValue)  # decodable, but no module handles it
    tx = build_tx(ALICE, CHAIN_ID, 0, 0, [StringValue(value="hi")])
    assert node.app.check_tx(tx).code == TxCode.UNKNOWN_REQUEST
    assert node.run_block([tx]).tx_results[0].code == TxCode.UNKNOWN_REQUEST


def test_undecodable_tx(node: Node) -> None:
    assert node.app.check_tx(b"\xff\x00garbage").code == TxCode.TX_DECODE
    assert node.app.check_tx(b"").code != 0


def test_message_signer_must_be_tx_signer(node: Node) -> None:
    tx = node.sign(ALICE, send(BOB, CAROL))
    result = node.app.check_tx(tx)
    assert result.code == TxCode.UNAUTHORIZED
    assert "signed by" in result.log


def test_unknown_signer_account(node: Node) -> None:
    tx = build_tx(CAROL, CHAIN_ID, 0, 0, [send(CAROL, ALICE)])
    assert node.app.check_tx(tx).code == TxCode.UNKNOWN_ADDRESS


def test_new_account_can_sign_after_being_funded(node: Node) -> None:
    node.run_block([node.sign(ALICE, send(ALICE, CAROL, 100))])
    carol = node.account(CAROL)
    assert carol["public_key"] == ""  # no key until its first tx
    node.run_block([node.sign(CAROL, send(CAROL, ALICE, 40))])
    assert node.account(CAROL)["public_key"] == CAROL.public_key.hex()
    assert node.balance(CAROL) == 60


def test_failed_tx_in_block_keeps_sequence_and_drops_effects(node: Node) -> None:
    ok = node.sign(ALICE, send(ALICE, CAROL, 5), sequence=0)
    fails = node.sign(ALICE, send(ALICE, CAROL, 5), send(ALICE, CAROL, 10**15), sequence=1)
    after = node.sign(ALICE, send(ALICE, CAROL, 1), sequence=2)
    results = node.run_block([ok, fails, after]).tx_results
    assert [r.code for r in results] == [0, TxCode.INSUFFICIENT_FUNDS, 0]
    assert results[1].events == ()
    assert node.balance(CAROL) == 6  # the failed tx's first send was rolled back too
    assert node.account(ALICE)["sequence"] == 3


def test_signature_verified_once_per_node(node: Node) -> None:
    cache = node.app.signature_cache
    tx = node.sign(ALICE, send(ALICE, CAROL))
    assert node.app.check_tx(tx).code == 0
    assert node.app.prepare_proposal([tx], 1 << 20) == [tx]
    node.run_block([tx])
    assert (cache.verifications, cache.hits) == (1, 2)


def test_signature_cache_is_bounded(node: Node) -> None:
    cache = SignatureCache(capacity=2)
    txs = [decode_tx(build_tx(ALICE, CHAIN_ID, 0, seq, [send(ALICE, BOB)])) for seq in range(3)]
    for tx in txs:
        assert cache.verify(tx, CHAIN_ID, 0)
    assert cache.verify(txs[2], CHAIN_ID, 0) and cache.hits == 1
    assert cache.verify(txs[0], CHAIN_ID, 0) and cache.verifications == 4  # evicted, verified again
    assert not cache.verify(txs[1], CHAIN_ID, 1)  # a cached hash is not a pass for another account number


def test_admission_modes_differ_only_for_failing_messages(node: Node) -> None:
    fails = node.sign(ALICE, send(ALICE, CAROL, 10**15))
    ctx = BlockContext(1, 0, CHAIN_ID, make_genesis().params())
    router = Router(ROUTES)
    for admission, expected_writes in ((Admission.CHECK, 0), (Admission.BLOCK, 1)):
        kv = Overlay(StateStore(node.db))
        outcome = run_tx(ctx, kv, fails, router, SignatureCache(), admission)
        assert outcome.result.code == TxCode.INSUFFICIENT_FUNDS
        assert len(kv.writes()) == expected_writes  # BLOCK keeps only the sequence bump
