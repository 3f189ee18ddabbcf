import pytest

from node.chain.app.queries import QueryError
from node.core.errors import TxCode
from node.proto.gonka.bank_pb2 import MsgSend

from .harness import ALICE, BOB, CAROL, DAVE, GNK, Node


def test_genesis_accounts_balances_and_supply(node: Node) -> None:
    assert node.account(ALICE) == {
        "address": ALICE.address,
        "account_number": 0,
        "sequence": 0,
        "public_key": ALICE.public_key.hex(),
    }
    assert node.account(BOB)["account_number"] == 1
    assert node.balance(ALICE) == 1000 * GNK
    assert node.app.query("supply", {}) == {
        "denom": "ngonka",
        "amount": 1010 * GNK,
        "minted": 0,
        "burned": 0,
        "genesis": 1010 * GNK,
    }


def test_transfer_moves_funds_and_emits_event(node: Node) -> None:
    tx = node.sign(ALICE, MsgSend(from_address=ALICE.address, to_address=BOB.address, amount=3 * GNK))
    result = node.run_block([tx]).tx_results[0]
    assert result.code == 0
    transfer = [e for e in result.events if e.type == "transfer"]
    assert [dict(e.attributes) for e in transfer] == [
        {"sender": ALICE.address, "recipient": BOB.address, "amount": str(3 * GNK)}
    ]
    assert node.balance(ALICE) == 997 * GNK
    assert node.balance(BOB) == 13 * GNK
    assert node.app.query("supply", {})["amount"] == 1010 * GNK


def test_new_recipients_get_account_numbers_in_order_of_creation(node: Node) -> None:
    txs = [
        node.sign(ALICE, MsgSend(from_address=ALICE.address, to_address=key.address, amount=1), sequence=seq)
        for seq, key in enumerate((DAVE, CAROL))
    ]
    node.run_block(txs)
    assert node.account(DAVE)["account_number"] == 2
    assert node.account(CAROL)["account_number"] == 3


def test_whole_balance_can_be_sent(node: Node) -> None:
    tx = node.sign(BOB, MsgSend(from_address=BOB.address, to_address=ALICE.address, amount=10 * GNK))
    assert node.run_block([tx]).tx_results[0].code == 0
    assert node.balance(BOB) == 0


def test_insufficient_funds(node: Node) -> None:
    tx = node.sign(BOB, MsgSend(from_address=BOB.address, to_address=ALICE.address, amount=10 * GNK + 1))
    result = node.run_block([tx]).tx_results[0]
    assert result.code == TxCode.INSUFFICIENT_FUNDS
    assert node.balance(BOB) == 10 * GNK


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (MsgSend(from_address=ALICE.address, to_address=BOB.address, amount=0), TxCode.INVALID_COINS),
        (MsgSend(from_address=ALICE.address, to_address="gonka1notanaddress", amount=1), TxCode.INVALID_ADDRESS),
        (MsgSend(from_address=ALICE.address, to_address=BOB.address.upper(), amount=1), TxCode.INVALID_ADDRESS),
        (MsgSend(from_address=ALICE.address, to_address="", amount=1), TxCode.INVALID_ADDRESS),
    ],
)
def test_invalid_send_is_rejected(node: Node, message: MsgSend, code: TxCode) -> None:
    assert node.app.check_tx(node.sign(ALICE, message)).code == code


def test_account_query_errors(node: Node) -> None:
    with pytest.raises(QueryError) as missing:
        node.app.query("account", {"address": CAROL.address})
    assert missing.value.code == "not_found"
    assert node.app.query("balance", {"address": CAROL.address})["amount"] == 0
    for params in ({}, {"address": "nope"}, {"address": ALICE.address, "extra": 1}):
        with pytest.raises(QueryError) as bad:
            node.app.query("balance", params)
        assert bad.value.code == "invalid_argument"
