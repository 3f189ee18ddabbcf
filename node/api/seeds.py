"""The secret validation seed of each epoch: drawn, kept, committed, revealed (reference §5).

Commit: at each PoC start (and once in the genesis epoch, which has none) the node draws a
random int63; the hex signature of its 8-byte big-endian form by the account key goes on
chain in MsgSubmitSeed for the upcoming epoch. The seed is written to data_dir and fsynced
BEFORE the commit is sent, so a node that crashes right after sending can still reveal it
when it claims. A seed is never redrawn once written: a second, different commit could
not be sent anyway (one per epoch), and the claim must reveal the committed one.

Each epoch keeps its own seed. Between a PoC start and set-new-validators there are two:
inferences finishing then still belong to the previous (effective) epoch and are judged
with its seed, while the new one is already committed. `get(epoch)` is the whole rule.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from node.api.context import ApiContext
from node.api.events import TxOutcome, read_json, send_tx, write_json_durably
from node.core.keys import AccountKey
from node.core.tx import register_message
from node.proto.gonka.poc_pb2 import MsgSubmitSeed

log = logging.getLogger(__name__)

SEEDS_FILE = "seeds.json"
COMMIT_ATTEMPTS = 5
COMMIT_RETRY_S = 1.0

register_message(MsgSubmitSeed)


def draw_seed() -> int:
    return secrets.randbits(63)  # non-negative int63, as the reference draws it


def seed_bytes(seed: int) -> bytes:
    """What the commit signs: the seed as 8 big-endian bytes."""
    return seed.to_bytes(8, "big")


def sign_seed(key: AccountKey, seed: int) -> str:
    return key.sign(seed_bytes(seed)).hex()


@dataclass(frozen=True)
class SeedRecord:
    epoch: int
    seed: int
    signature: str  # hex: the commit
    committed: bool  # the chain holds the commit


class SeedStore:
    """Seeds by epoch in data_dir/seeds.json. Every call reads the file, so the orchestrator
    (the only writer) and the validator (a reader) always agree."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / SEEDS_FILE

    def _load(self) -> dict[int, SeedRecord]:
        return {int(epoch): SeedRecord(**record) for epoch, record in read_json(self.path, {}).items()}

    def _save(self, records: dict[int, SeedRecord]) -> None:
        write_json_durably(self.path, {str(epoch): asdict(record) for epoch, record in sorted(records.items())})

    def record(self, epoch: int) -> SeedRecord | None:
        return self._load().get(epoch)

    def get(self, epoch: int) -> int | None:
        """The seed for `epoch`'s inferences and claim, or None when this node has none."""
        record = self.record(epoch)
        return None if record is None else record.seed

    def ensure(self, epoch: int, key: AccountKey) -> SeedRecord:
        """The epoch's seed, drawn and made durable first if there is none yet."""
        records = self._load()
        if epoch not in records:
            seed = draw_seed()
            records[epoch] = SeedRecord(epoch, seed, sign_seed(key, seed), committed=False)
            self._save(records)
        return records[epoch]

    def mark_committed(self, epoch: int) -> None:
        records = self._load()
        records[epoch] = SeedRecord(**(asdict(records[epoch]) | {"committed": True}))
        self._save(records)

    def prune(self, keep_from_epoch: int) -> None:
        """Forget seeds of epochs before `keep_from_epoch` (claimed or forfeited by then)."""
        records = self._load()
        kept = {epoch: record for epoch, record in records.items() if epoch >= keep_from_epoch}
        if len(kept) != len(records):
            self._save(kept)


async def commit_seed(ctx: ApiContext, store: SeedStore, epoch: int) -> bool:
    """Make sure the chain holds this node's seed commit for `epoch`; False if it could not."""
    record = store.ensure(epoch, ctx.key)
    if record.committed:
        return True
    message = MsgSubmitSeed(creator=ctx.address, epoch_index=epoch, signature=record.signature)
    for _ in range(COMMIT_ATTEMPTS):
        outcome = await send_tx(ctx.tx, [message], f"{ctx.name}: seed commit for epoch {epoch}")
        if outcome in (TxOutcome.COMMITTED, TxOutcome.DUPLICATE):  # DUPLICATE: an earlier send landed
            store.mark_committed(epoch)
            log.info("%s: seed committed for epoch %d", ctx.name, epoch)
            return True
        if outcome is TxOutcome.REFUSED:
            return False
        await asyncio.sleep(COMMIT_RETRY_S)
    return False
