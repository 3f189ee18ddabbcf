"""Epoch groups in app state, and the read functions other modules use.

Keys:
    epochs/effective                       u64 index of the effective (current) epoch
    epochs/group/<u64 epoch>               EpochGroup (header with the total weight)
    epochs/member/<u64 epoch>/<address>    EpochMember
    epochs/seed/<u64 epoch>/<address>      64-byte seed commit (signature of the 8-byte BE seed)

The *effective* epoch is the one whose group is live (its weights are the
consensus powers and route inference); it becomes the upcoming epoch at
set-new-validators. Epoch 0's group is the genesis validator set.
"""

from __future__ import annotations

from node.chain.app.encoding import encode_u64, load_all, load_proto, load_u64, store_proto
from node.chain.app.genesis import Genesis
from node.chain.store.overlay import KVReader, Overlay
from node.proto.gonka.epochs_pb2 import EpochGroup, EpochMember

EFFECTIVE_KEY = b"epochs/effective"
GROUP_PREFIX = b"epochs/group/"
MEMBER_PREFIX = b"epochs/member/"
SEED_PREFIX = b"epochs/seed/"


def _member_key(epoch: int, address: str) -> bytes:
    return MEMBER_PREFIX + encode_u64(epoch) + b"/" + address.encode()


def current_epoch_index(kv: KVReader) -> int:
    """The effective epoch: the one whose group's weights are live now."""
    return load_u64(kv, EFFECTIVE_KEY)


def set_current_epoch_index(kv: Overlay, epoch: int) -> None:
    kv.set(EFFECTIVE_KEY, encode_u64(epoch))


def get_group(kv: KVReader, epoch: int) -> EpochGroup | None:
    return load_proto(kv, GROUP_PREFIX + encode_u64(epoch), EpochGroup)


def set_group(kv: Overlay, group: EpochGroup) -> None:
    store_proto(kv, GROUP_PREFIX + encode_u64(group.epoch_index), group)


def get_member(kv: KVReader, epoch: int, address: str) -> EpochMember | None:
    return load_proto(kv, _member_key(epoch, address), EpochMember)


def set_member(kv: Overlay, epoch: int, member: EpochMember) -> None:
    store_proto(kv, _member_key(epoch, member.address), member)


def member_records(kv: KVReader, epoch: int) -> list[EpochMember]:
    """Ordered by address."""
    return load_all(kv, MEMBER_PREFIX + encode_u64(epoch) + b"/", EpochMember)


def members(kv: KVReader, epoch: int) -> list[tuple[str, int]]:
    """(address, weight) of every member of `epoch`'s group, by address; punished members weigh 0."""
    return [(member.address, member.weight) for member in member_records(kv, epoch)]


def member_weight(kv: KVReader, epoch: int, address: str) -> int:
    """The member's capped weight (its consensus power and reward share); 0 for non-members."""
    member = get_member(kv, epoch, address)
    return 0 if member is None else member.weight


def total_weight(kv: KVReader, epoch: int) -> int:
    group = get_group(kv, epoch)
    return 0 if group is None else group.total_weight


def reputation(kv: KVReader, address: str) -> int:
    """Reputation 0..100 in the effective epoch's group (0 for non-members)."""
    member = get_member(kv, current_epoch_index(kv), address)
    return 0 if member is None else member.reputation


def zero_member(kv: Overlay, epoch: int, address: str) -> bool:
    """Set a member's weight and reputation to 0 (and the group total with it); False if nothing changed."""
    member = get_member(kv, epoch, address)
    group = get_group(kv, epoch)
    if member is None or group is None or (member.weight == 0 and member.reputation == 0):
        return False
    group.total_weight -= member.weight
    member.weight = 0
    member.reputation = 0
    set_member(kv, epoch, member)
    set_group(kv, group)
    return True


def seed_signature(kv: KVReader, epoch: int, address: str) -> bytes | None:
    """The seed commit `address` made for `epoch`, or None."""
    return kv.get(SEED_PREFIX + encode_u64(epoch) + b"/" + address.encode())


def set_seed_signature(kv: Overlay, epoch: int, address: str, signature: bytes) -> None:
    kv.set(SEED_PREFIX + encode_u64(epoch) + b"/" + address.encode(), signature)


def seed_committers(kv: KVReader, epoch: int) -> list[str]:
    """Addresses with a seed commit for `epoch`, ordered."""
    prefix = SEED_PREFIX + encode_u64(epoch) + b"/"
    return [key[len(prefix) :].decode() for key, _ in kv.prefix_items(prefix)]


def init_genesis(kv: Overlay, genesis: Genesis) -> None:
    """Epoch 0's group: the genesis validators, weight = genesis power (no capping: there was no PoC)."""
    registry = [model.id for model in genesis.model_registry()]
    for validator in genesis.validators:
        set_member(
            kv,
            0,
            EpochMember(
                address=validator.operator_address,
                poc_weight=validator.power,
                weight=validator.power,
                consensus_public_key=validator.consensus_public_key,
                models=validator.models or registry,
            ),
        )
    set_group(kv, EpochGroup(epoch_index=0, total_weight=sum(v.power for v in genesis.validators)))
    set_current_epoch_index(kv, 0)
