"""Accounts, balances and supply in app state.

Keys:
    bank/account/<address>     Account (number, sequence, public key)
    bank/balance/<address>     u64 ngonka (absent = 0)
    bank/supply                u64 ngonka in existence
    bank/minted                u64 ngonka minted since genesis (epoch rewards)
    bank/burned                u64 ngonka burned since genesis (slashes, forfeits, unclaimed amounts)

Supply = genesis balances + minted − burned, and equals the sum of all
balances (module accounts included); only mint() and burn() change it.
    bank/next_account_number   u64, the number the next new account gets
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.encoding import encode_u64, load_proto, load_u64, store_proto
from node.chain.app.genesis import Genesis
from node.chain.store.overlay import KVReader, Overlay
from node.core.errors import TxCode, TxError
from node.proto.gonka.bank_pb2 import Account

ACCOUNT_PREFIX = b"bank/account/"
BALANCE_PREFIX = b"bank/balance/"
SUPPLY_KEY = b"bank/supply"
MINTED_KEY = b"bank/minted"
BURNED_KEY = b"bank/burned"
NEXT_ACCOUNT_NUMBER_KEY = b"bank/next_account_number"
DENOM = "ngonka"


def get_account(kv: KVReader, address: str) -> Account | None:
    return load_proto(kv, ACCOUNT_PREFIX + address.encode(), Account)


def set_account(kv: Overlay, account: Account) -> None:
    store_proto(kv, ACCOUNT_PREFIX + account.address.encode(), account)


def create_account(kv: Overlay, address: str, public_key: bytes = b"") -> Account:
    """A new account with the next account number (the caller checked it does not exist)."""
    number = load_u64(kv, NEXT_ACCOUNT_NUMBER_KEY)
    account = Account(address=address, account_number=number, sequence=0, public_key=public_key)
    set_account(kv, account)
    kv.set(NEXT_ACCOUNT_NUMBER_KEY, encode_u64(number + 1))
    return account


def get_balance(kv: KVReader, address: str) -> int:
    return load_u64(kv, BALANCE_PREFIX + address.encode())


def _set_balance(kv: Overlay, address: str, amount: int) -> None:
    key = BALANCE_PREFIX + address.encode()
    if amount == 0:
        kv.delete(key)
    else:
        kv.set(key, encode_u64(amount))


def get_supply(kv: KVReader) -> int:
    return load_u64(kv, SUPPLY_KEY)


def transfer(kv: Overlay, sender: str, recipient: str, amount: int) -> list[Event]:
    """Move `amount` ngonka; creates the recipient's account if it is new."""
    balance = get_balance(kv, sender)
    if balance < amount:
        raise TxError(TxCode.INSUFFICIENT_FUNDS, f"{sender} has {balance} {DENOM}, needs {amount}")
    if get_account(kv, recipient) is None:
        create_account(kv, recipient)
    _set_balance(kv, sender, balance - amount)
    # Cannot overflow: balances sum to the supply, which genesis keeps within u64.
    _set_balance(kv, recipient, get_balance(kv, recipient) + amount)
    return [Event.of("transfer", sender=sender, recipient=recipient, amount=amount)]


def get_minted(kv: KVReader) -> int:
    return load_u64(kv, MINTED_KEY)


def get_burned(kv: KVReader) -> int:
    return load_u64(kv, BURNED_KEY)


def mint(kv: Overlay, recipient: str, amount: int) -> list[Event]:
    """Create `amount` new ngonka in `recipient`'s balance (creating the account if new)."""
    if amount == 0:
        return []
    if get_account(kv, recipient) is None:
        create_account(kv, recipient)
    _set_balance(kv, recipient, get_balance(kv, recipient) + amount)
    kv.set(SUPPLY_KEY, encode_u64(get_supply(kv) + amount))
    kv.set(MINTED_KEY, encode_u64(get_minted(kv) + amount))
    return [Event.of("mint", recipient=recipient, amount=amount)]


def burn(kv: Overlay, holder: str, amount: int, reason: str) -> list[Event]:
    """Destroy `amount` ngonka of `holder`'s balance."""
    if amount == 0:
        return []
    balance = get_balance(kv, holder)
    if balance < amount:
        raise TxError(TxCode.INSUFFICIENT_FUNDS, f"{holder} has {balance} {DENOM}, cannot burn {amount}")
    _set_balance(kv, holder, balance - amount)
    kv.set(SUPPLY_KEY, encode_u64(get_supply(kv) - amount))
    kv.set(BURNED_KEY, encode_u64(get_burned(kv) + amount))
    return [Event.of("burn", holder=holder, amount=amount, reason=reason)]


def init_genesis(kv: Overlay, genesis: Genesis) -> None:
    """Accounts get numbers 0, 1, … in genesis order."""
    for entry in genesis.accounts:
        create_account(kv, entry.address, entry.public_key or b"")
        _set_balance(kv, entry.address, entry.balance)
    kv.set(SUPPLY_KEY, encode_u64(sum(entry.balance for entry in genesis.accounts)))
