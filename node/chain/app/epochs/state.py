"""Epoch records in app state.

Keys:
    epochs/by_index/<u64 index>   Epoch{index, poc_start_block_height}
    epochs/latest                 u64 index of the latest epoch (the upcoming one during PoC)

Stored rather than derived from the height so that a later change of
epoch_length moves only future PoC starts: the next start is always the
latest record's P + epoch_length (reference: epoch_context.go).
"""

from __future__ import annotations

from node.chain.app.encoding import encode_u64, load_all, load_proto, load_u64, store_proto
from node.chain.app.epochs.clock import next_poc_start
from node.chain.store.overlay import KVReader, Overlay
from node.proto.gonka.epochs_pb2 import Epoch
from node.proto.gonka.params_pb2 import EpochParams

EPOCH_PREFIX = b"epochs/by_index/"
LATEST_KEY = b"epochs/latest"


def get_epoch(kv: KVReader, index: int) -> Epoch | None:
    return load_proto(kv, EPOCH_PREFIX + encode_u64(index), Epoch)


def latest_epoch(kv: KVReader) -> Epoch:
    epoch = get_epoch(kv, load_u64(kv, LATEST_KEY))
    if epoch is None:
        raise RuntimeError("no epoch in state: init_chain has not run")
    return epoch


def add_epoch(kv: Overlay, epoch: Epoch) -> None:
    store_proto(kv, EPOCH_PREFIX + encode_u64(epoch.index), epoch)
    kv.set(LATEST_KEY, encode_u64(epoch.index))


def epoch_by_poc_start(kv: KVReader, poc_start: int) -> Epoch | None:
    """The epoch (index >= 1) whose PoC started at `poc_start`."""
    found = [e for e in load_all(kv, EPOCH_PREFIX, Epoch) if e.index and e.poc_start_block_height == poc_start]
    return found[0] if found else None


def epoch_at(kv: KVReader, params: EpochParams, height: int) -> Epoch:
    """The epoch whose PoC start is the latest one at or before `height`.

    Past heights use the stored records; heights beyond the latest record are
    extrapolated with the current params.
    """
    latest = latest_epoch(kv)
    if height < latest.poc_start_block_height:
        # Epoch 0 starts at 0, so some record always qualifies.
        return next(
            epoch for epoch in reversed(load_all(kv, EPOCH_PREFIX, Epoch)) if epoch.poc_start_block_height <= height
        )
    upcoming = next_poc_start(params, latest.index, latest.poc_start_block_height)
    if height < upcoming:
        return latest
    skipped = (height - upcoming) // params.epoch_length
    return Epoch(index=latest.index + 1 + skipped, poc_start_block_height=upcoming + skipped * params.epoch_length)


def init_genesis(kv: Overlay) -> None:
    add_epoch(kv, Epoch(index=0, poc_start_block_height=0))
