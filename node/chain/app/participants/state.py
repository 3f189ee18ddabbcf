"""Participants in app state.

Keys:
    participants/by_address/<address>            Participant
    participants/by_consensus_key/<32-byte key>  address of the host using that key
"""

from __future__ import annotations

from node.chain.app.encoding import load_all, load_proto, store_proto
from node.chain.app.genesis import Genesis
from node.chain.store.overlay import KVReader, Overlay
from node.core.errors import TxCode, TxError
from node.proto.gonka.participants_pb2 import Participant, ParticipantKind

PARTICIPANT_PREFIX = b"participants/by_address/"
CONSENSUS_KEY_PREFIX = b"participants/by_consensus_key/"


def get_participant(kv: KVReader, address: str) -> Participant | None:
    return load_proto(kv, PARTICIPANT_PREFIX + address.encode(), Participant)


def set_participant(kv: Overlay, participant: Participant) -> None:
    store_proto(kv, PARTICIPANT_PREFIX + participant.address.encode(), participant)
    if participant.consensus_public_key:
        kv.set(CONSENSUS_KEY_PREFIX + participant.consensus_public_key, participant.address.encode())


def consensus_key_owner(kv: KVReader, consensus_public_key: bytes) -> str | None:
    raw = kv.get(CONSENSUS_KEY_PREFIX + consensus_public_key)
    return None if raw is None else raw.decode()


def all_participants(kv: KVReader) -> list[Participant]:
    """Ordered by address."""
    return load_all(kv, PARTICIPANT_PREFIX, Participant)


def require_host(kv: KVReader, address: str) -> Participant:
    """The registered host at `address`, or a TxError naming the unknown participant."""
    participant = get_participant(kv, address)
    if participant is None or participant.kind != ParticipantKind.PARTICIPANT_KIND_HOST:
        raise TxError(TxCode.NOT_FOUND, f"{address} is not a registered host")
    return participant


def init_genesis(kv: Overlay, genesis: Genesis) -> None:
    """Each genesis validator's operator is a host from block 1."""
    registry = [model.id for model in genesis.model_registry()]
    for validator in genesis.validators:
        set_participant(
            kv,
            Participant(
                address=validator.operator_address,
                kind=ParticipantKind.PARTICIPANT_KIND_HOST,
                url=validator.url,
                consensus_public_key=validator.consensus_public_key,
                models=validator.models or registry,
            ),
        )
