"""Error codes and exceptions of the protocol core.

Tx result codes reuse the Cosmos SDK's root codespace values so that clients
written against Cosmos/Gonka read our results the same way.
"""

from enum import IntEnum


class TxCode(IntEnum):
    OK = 0
    INTERNAL = 1
    TX_DECODE = 2
    INVALID_SEQUENCE = 3
    UNAUTHORIZED = 4
    INSUFFICIENT_FUNDS = 5
    UNKNOWN_REQUEST = 6
    # Cosmos reports an unrecognized message type as "unknown request"; the
    # alias lets callers name the case without inventing a new wire value.
    UNKNOWN_MESSAGE = 6
    INVALID_ADDRESS = 7
    INVALID_PUBKEY = 8
    UNKNOWN_ADDRESS = 9
    INVALID_COINS = 10
    MEMO_TOO_LARGE = 12
    INVALID_REQUEST = 18
    TX_IN_MEMPOOL = 19
    MEMPOOL_FULL = 20
    TX_TOO_LARGE = 21
    INVALID_CHAIN_ID = 28
    WRONG_SEQUENCE = 32
    CONFLICT = 36
    NOT_FOUND = 38


class InvalidAddress(ValueError):
    """A bech32 account address that is malformed, mis-prefixed or of the wrong length."""


class InvalidKey(ValueError):
    """A private or public key that cannot be used (bad length, encoding or point)."""


class TxError(Exception):
    """A transaction was rejected; `code` is the result code reported to the client."""

    def __init__(self, code: TxCode, message: str) -> None:
        super().__init__(f"{code.name} ({int(code)}): {message}")
        self.code = code
        self.message = message
