"""Consensus validators in app state.

Keys:
    validators/<consensus address (20 bytes)>   Validator
"""

from __future__ import annotations

from node.chain.app.encoding import load_all, load_proto, store_proto
from node.chain.app.genesis import Genesis
from node.chain.store.overlay import KVReader, Overlay
from node.core.consensus_keys import consensus_address
from node.proto.gonka.participants_pb2 import Validator

VALIDATOR_PREFIX = b"validators/"


def get_validator(kv: KVReader, address: bytes) -> Validator | None:
    return load_proto(kv, VALIDATOR_PREFIX + address, Validator)


def set_validator(kv: Overlay, validator: Validator) -> None:
    store_proto(kv, VALIDATOR_PREFIX + consensus_address(validator.consensus_public_key), validator)


def all_validators(kv: KVReader) -> list[Validator]:
    """Ordered by consensus address."""
    return load_all(kv, VALIDATOR_PREFIX, Validator)


def init_genesis(kv: Overlay, genesis: Genesis) -> None:
    for entry in genesis.validators:
        set_validator(
            kv,
            Validator(
                name=entry.name,
                operator_address=entry.operator_address,
                consensus_public_key=entry.consensus_public_key,
                power=entry.power,
            ),
        )
