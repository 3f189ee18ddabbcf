"""Performance summaries and cheater marks in app state; reputation from them.

Keys:
    reputation/summary/<address>/<u64 epoch>   EpochPerformanceSummary (one per settled group member)
    reputation/cheat/<u64 epoch>/<address>     reason (utf-8): forfeits that epoch at settlement
    reputation/counts_from/<address>           u64 first epoch whose summary counts

Mission addition to the reference: a cheater's reputation restarts at 0, so
only summaries of epochs after its latest cheat count.
"""

from __future__ import annotations

from node.chain.app.encoding import encode_u64, load_all, load_u64, store_proto
from node.chain.store.overlay import KVReader, Overlay
from node.core.reputation import reputation_score
from node.proto.gonka.settlement_pb2 import EpochPerformanceSummary, ReputationParams

SUMMARY_PREFIX = b"reputation/summary/"
CHEAT_PREFIX = b"reputation/cheat/"
COUNTS_FROM_PREFIX = b"reputation/counts_from/"


def add_summary(kv: Overlay, summary: EpochPerformanceSummary) -> None:
    key = SUMMARY_PREFIX + summary.participant.encode() + b"/" + encode_u64(summary.epoch_index)
    store_proto(kv, key, summary)


def summaries(kv: KVReader, address: str) -> list[EpochPerformanceSummary]:
    """Ordered by epoch."""
    return load_all(kv, SUMMARY_PREFIX + address.encode() + b"/", EpochPerformanceSummary)


def _cheat_key(epoch: int, address: str) -> bytes:
    return CHEAT_PREFIX + encode_u64(epoch) + b"/" + address.encode()


def mark_cheater(kv: Overlay, epoch: int, address: str, reason: str) -> bool:
    """Mark `address` a cheater in `epoch`; False (and no change) if it already is."""
    if is_cheater(kv, epoch, address):
        return False
    kv.set(_cheat_key(epoch, address), reason.encode())
    counts_from = COUNTS_FROM_PREFIX + address.encode()
    kv.set(counts_from, encode_u64(max(load_u64(kv, counts_from), epoch + 1)))
    return True


def is_cheater(kv: KVReader, epoch: int, address: str) -> bool:
    return kv.get(_cheat_key(epoch, address)) is not None


def compute_reputation(kv: KVReader, params: ReputationParams, address: str) -> int:
    first_counted = load_u64(kv, COUNTS_FROM_PREFIX + address.encode())
    counted = [(s.inference_count, s.missed_requests) for s in summaries(kv, address) if s.epoch_index >= first_counted]
    return reputation_score(
        counted, params.epochs_to_max, params.miss_percentage_cutoff_ppm, params.miss_requests_penalty_ppm
    )
