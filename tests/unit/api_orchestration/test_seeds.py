"""Seed drawing, the bytes the commit signs, and the seed file's durability.

The signature is checked with the chain's own claim-time verification, so a node's commit
and its later reveal are known to match what the chain accepts.
"""

from __future__ import annotations

import asyncio
import socket
import stat
from pathlib import Path

import pytest

from node.api import seeds
from node.api.chain_link import ChainLink
from node.api.context import ApiContext
from node.api.seeds import SeedStore, commit_seed, draw_seed, seed_bytes, sign_seed
from node.api.tx_sender import TxSender
from node.chain.app.settlement.transition import seed_bytes as chain_seed_bytes
from node.core.keys import AccountKey, verify_signature

KEY = AccountKey.from_private_hex("1f" * 32)


def test_seeds_are_non_negative_int63() -> None:
    drawn = {draw_seed() for _ in range(200)}
    assert all(0 <= seed < 1 << 63 for seed in drawn)
    assert len(drawn) == 200


@pytest.mark.parametrize("seed", [0, 1, 0x0102030405060708, (1 << 63) - 1])
def test_the_commit_signs_the_eight_big_endian_bytes(seed: int) -> None:
    assert seed_bytes(seed) == chain_seed_bytes(seed) == seed.to_bytes(8, "big")
    signature = sign_seed(KEY, seed)
    assert len(signature) == 128 and bytes.fromhex(signature)
    assert verify_signature(KEY.public_key, chain_seed_bytes(seed), bytes.fromhex(signature))
    assert not verify_signature(KEY.public_key, chain_seed_bytes(seed ^ 1), bytes.fromhex(signature))


def test_a_seed_is_written_once_and_never_redrawn(tmp_path: Path) -> None:
    first = SeedStore(tmp_path).ensure(3, KEY)
    assert not first.committed
    again = SeedStore(tmp_path).ensure(3, KEY)  # e.g. after a restart
    assert again == first
    assert SeedStore(tmp_path).get(3) == first.seed and SeedStore(tmp_path).get(4) is None
    assert stat.S_IMODE((tmp_path / seeds.SEEDS_FILE).stat().st_mode) == 0o600  # a secret until revealed
    SeedStore(tmp_path).mark_committed(3)
    assert SeedStore(tmp_path).record(3) == first.__class__(3, first.seed, first.signature, committed=True)


def test_pruning_keeps_the_previous_epoch_for_its_claim(tmp_path: Path) -> None:
    store = SeedStore(tmp_path)
    kept = {epoch: store.ensure(epoch, KEY).seed for epoch in range(5)}
    store.prune(keep_from_epoch=3)
    assert {epoch: store.get(epoch) for epoch in range(5)} == {0: None, 1: None, 2: None, 3: kept[3], 4: kept[4]}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_seed_is_on_disk_even_when_the_commit_cannot_be_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Persist first, send second: with the chain unreachable the seed is still kept, uncommitted."""
    monkeypatch.setattr(seeds, "COMMIT_RETRY_S", 0.0)

    async def scenario() -> bool:
        chain = ChainLink(f"127.0.0.1:{_closed_port()}")
        ctx = ApiContext(
            name="n1", chain_id="test", key=KEY, public_url="http://127.0.0.1:1", chain=chain,
            tx=TxSender(chain, KEY, "test"), ml_nodes=[], data_dir=tmp_path, model="m",
        )
        try:
            return await commit_seed(ctx, SeedStore(tmp_path), 7)
        finally:
            await chain.close()

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) is False
    record = SeedStore(tmp_path).record(7)
    assert record is not None and not record.committed
    assert verify_signature(KEY.public_key, seed_bytes(record.seed), bytes.fromhex(record.signature))
