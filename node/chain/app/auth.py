"""Tx authentication (the Cosmos "ante" checks): who signed, in which order, for which chain.

Order of checks, cheapest first:
1. every message has a route and passes its stateless validation
   (UNKNOWN_REQUEST, INVALID_ADDRESS, …) and names the tx signer in its
   signer field (UNAUTHORIZED);
2. the signer's account exists (UNKNOWN_ADDRESS): a new address must first
   receive a MsgSend or be registered as a developer by an existing account;
3. the tx's public key matches the one the account already has (INVALID_PUBKEY);
4. the tx sequence equals the account's sequence (WRONG_SEQUENCE; this is
   what rejects a replayed tx);
5. the signature over (body, auth info, chain id, account number) verifies
   (UNAUTHORIZED; a wrong chain id or account number lands here).

Signature checks are the chain's throughput ceiling, so each verified
(tx hash, account number) is remembered in a bounded LRU: a tx checked when
it entered the mempool is not verified again in prepare_proposal or
finalize_block. The key covers the whole raw tx, signature included, so a hit
means exactly these bytes were verified.
"""

from __future__ import annotations

from collections import OrderedDict

from node.chain.app.bank.state import get_account, set_account
from node.chain.app.router import Router
from node.chain.store.overlay import KVReader, Overlay
from node.core.errors import TxCode, TxError
from node.core.tx import DecodedTx, verify_tx_signature
from node.proto.gonka.bank_pb2 import Account

DEFAULT_CACHE_SIZE = 100_000


class SignatureCache:
    def __init__(self, capacity: int = DEFAULT_CACHE_SIZE) -> None:
        if capacity < 1:
            raise ValueError("signature cache capacity must be positive")
        self._capacity = capacity
        self._verified: OrderedDict[tuple[str, int], None] = OrderedDict()
        self.hits = 0
        self.verifications = 0

    def verify(self, tx: DecodedTx, chain_id: str, account_number: int) -> bool:
        key = (tx.hash, account_number)
        if key in self._verified:
            self._verified.move_to_end(key)
            self.hits += 1
            return True
        self.verifications += 1
        if not verify_tx_signature(tx, chain_id, account_number):
            return False
        self._verified[key] = None
        if len(self._verified) > self._capacity:
            self._verified.popitem(last=False)
        return True


def check_messages(tx: DecodedTx, router: Router) -> None:
    for message in tx.messages:
        route = router.route(message)
        route.validate(message)
        signer = getattr(message, route.signer_field)
        if signer != tx.signer:
            raise TxError(
                TxCode.UNAUTHORIZED,
                f"{route.type_url}.{route.signer_field} is {signer}, but the tx is signed by {tx.signer}",
            )


def authenticate(kv: KVReader, tx: DecodedTx, chain_id: str, cache: SignatureCache) -> Account:
    """The signer's account, if the tx may run now; raises TxError otherwise. Writes nothing."""
    account = get_account(kv, tx.signer)
    if account is None:
        raise TxError(TxCode.UNKNOWN_ADDRESS, f"account {tx.signer} does not exist; fund it first")
    if account.public_key and account.public_key != tx.public_key:
        raise TxError(TxCode.INVALID_PUBKEY, f"tx public key does not match the key of {tx.signer}")
    if tx.sequence != account.sequence:
        raise TxError(
            TxCode.WRONG_SEQUENCE, f"account sequence mismatch: expected {account.sequence}, got {tx.sequence}"
        )
    if not cache.verify(tx, chain_id, account.account_number):
        raise TxError(
            TxCode.UNAUTHORIZED,
            f"signature verification failed (chain id {chain_id}, account number {account.account_number})",
        )
    return account


def consume_sequence(kv: Overlay, account: Account, tx: DecodedTx) -> None:
    """Record the tx against its account: next sequence, and the public key on first use."""
    account.sequence += 1
    if not account.public_key:
        account.public_key = tx.public_key
    set_account(kv, account)
