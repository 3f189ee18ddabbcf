"""Bad or replayed transactions over BroadcastTx are rejected with a clear code and change nothing."""

from __future__ import annotations

import os

import grpc
import pytest
from google.protobuf.any_pb2 import Any

from node.chain.client import ChainClient, ChainError
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.core.tx import MAX_TX_BYTES, build_tx, sign_bytes
from node.devnet.network import Devnet
from node.proto.gonka.bank_pb2 import MsgSend
from node.proto.gonka.tx_pb2 import AuthInfo, TxBody, TxRaw
from tests.integration.chain_helpers import wait_blocks


@pytest.fixture
def sender(devnet: Devnet) -> AccountKey:
    """A freshly funded account, so each test starts from a known sequence."""
    key = AccountKey.generate()
    result = devnet.fund(key.address, 1_000_000, wait=True)
    assert result["check_code"] == 0 and result["code"] == 0, result
    return key


def _account(client: ChainClient, address: str) -> tuple[int, int, int]:
    account = client.query("account", address=address)
    return int(account["account_number"]), int(account["sequence"]), client.balance(address)


def test_replayed_tx_is_rejected(devnet: Devnet, sender: AccountKey) -> None:
    to = AccountKey.generate().address
    with devnet.client() as client:
        raw = client.build_send(sender, to, 500)
        first = client.broadcast_tx(raw, wait=True)
        assert first["check_code"] == 0 and first["code"] == 0, first
        state = _account(client, sender.address)
        replay = client.broadcast_tx(raw, wait=True, timeout_s=3)
        assert replay["check_code"] != 0 and replay["check_log"], replay
        # refused as a new submission; it only reports the block the original landed in
        assert replay["committed"] and replay["height"] == first["height"]
        wait_blocks(devnet, [n.name for n in devnet.manifest.nodes], 2)
        assert _account(client, sender.address) == state
        assert client.balance(to) == 500
        assert client.tx(first["hash"])["height"] == first["height"]


def _signed_raw(key: AccountKey, chain_id: str, number: int, sequence: int, body: TxBody) -> bytes:
    body_bytes = body.SerializeToString(deterministic=True)
    auth = AuthInfo(public_key=key.public_key, sequence=sequence).SerializeToString(deterministic=True)
    signature = key.sign(sign_bytes(body_bytes, auth, chain_id, number))
    return TxRaw(body_bytes=body_bytes, auth_info_bytes=auth, signature=signature).SerializeToString(
        deterministic=True
    )


def test_bad_txs_are_rejected_and_change_nothing(devnet: Devnet, sender: AccountKey) -> None:
    chain_id = devnet.manifest.chain_id
    to = AccountKey.generate().address
    with devnet.client() as client:
        number, sequence, balance = _account(client, sender.address)
        send = MsgSend(from_address=sender.address, to_address=to, amount=7)

        good = build_tx(sender, chain_id, number, sequence, [send])
        tampered = bytearray(good)
        tampered[-1] ^= 0x01  # the signature is the last field of TxRaw
        unknown = TxBody(messages=[Any(type_url="/gonka.nope.MsgNope", value=b"\x0a\x01x")])
        impostor = AccountKey.generate()  # signs as itself for the sender's funds
        cases = {
            "malformed bytes": (b"\xff\x00 not a tx", {TxCode.TX_DECODE}),
            "bad signature": (bytes(tampered), {TxCode.UNAUTHORIZED}),
            "wrong chain id": (build_tx(sender, "other-chain", number, sequence, [send]), {TxCode.UNAUTHORIZED}),
            "wrong sequence": (build_tx(sender, chain_id, number, sequence + 5, [send]),
                               {TxCode.WRONG_SEQUENCE, TxCode.INVALID_SEQUENCE}),
            "oversized": (os.urandom(MAX_TX_BYTES + 1), {TxCode.TX_TOO_LARGE}),
            "unknown message type": (_signed_raw(sender, chain_id, number, sequence, unknown),
                                     {TxCode.UNKNOWN_REQUEST}),
            "signer is not the sender": (build_tx(impostor, chain_id, 0, 0, [send]),
                                         {TxCode.UNAUTHORIZED, TxCode.UNKNOWN_ADDRESS, TxCode.INVALID_REQUEST}),
        }
        hashes = []
        for what, (raw, codes) in cases.items():
            result = client.broadcast_tx(raw)
            assert result["check_code"] in codes, (what, result)
            assert result["check_log"], (what, result)
            hashes.append(result["hash"])
            assert client.status()["mempool_size"] == 0, what

        with pytest.raises(ChainError, match="empty tx") as empty:  # refused as a malformed request
            client.broadcast_tx(b"")
        assert empty.value.code == grpc.StatusCode.INVALID_ARGUMENT

        wait_blocks(devnet, [n.name for n in devnet.manifest.nodes], 2)
        assert _account(client, sender.address) == (number, sequence, balance)
        assert client.balance(to) == 0
        for tx_hash in hashes:
            assert client.tx(tx_hash) is None
        # The untouched original is still valid: the rejections did not burn its sequence.
        ok = client.broadcast_tx(good, wait=True)
        assert ok["check_code"] == 0 and ok["code"] == 0, ok
