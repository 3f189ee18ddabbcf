"""A tiny stand-in for the consensus engine: it decides blocks and drives GonkaApp.

Per height it does what the engine does: finalize_block, then ONE DB
transaction holding save_block and app.commit(). The block bytes it stores
are a JSON stand-in for the engine's protobuf block, enough to replay the chain.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

from node.chain.app.abci import BlockInput, FinalizeResult, Misbehavior
from node.chain.app.app import GonkaApp
from node.chain.app.genesis import Genesis, GenesisAccount, GenesisValidator
from node.chain.store.block_store import BlockStore
from node.chain.store.db import ChainDB
from node.core.consensus_keys import ConsensusKey
from node.core.hashing import sha256
from node.core.keys import AccountKey
from node.core.tx import build_tx

CHAIN_ID = "test-chain"
GNK = 10**9
# Fixed keys so that independent nodes build identical genesis documents.
ALICE, BOB, CAROL, DAVE = (AccountKey.from_private_hex(f"{i:064x}") for i in (1, 2, 3, 4))
VALIDATOR_KEYS = tuple(ConsensusKey.from_seed(bytes([i]) * 32) for i in (1, 2))


def make_genesis(profile: str = "devnet", **overrides: Any) -> Genesis:
    return Genesis(
        chain_id=CHAIN_ID,
        genesis_time_ms=1_000_000,
        params_profile=profile,
        params_overrides=overrides,
        accounts=(GenesisAccount(ALICE.address, 1000 * GNK, ALICE.public_key), GenesisAccount(BOB.address, 10 * GNK)),
        validators=tuple(
            GenesisValidator(f"val{i}", key.address, vk.public_key, 10)
            for i, (key, vk) in enumerate(zip((ALICE, BOB), VALIDATOR_KEYS, strict=True))
        ),
        faucet=ALICE.address,
    )


def encode_block(block: BlockInput) -> bytes:
    return json.dumps(
        {
            "height": block.height,
            "time_ms": block.time_ms,
            "hash": block.hash.hex(),
            "proposer": block.proposer_address.hex(),
            "txs": [tx.hex() for tx in block.txs],
            "misbehavior": [[m.kind, m.validator_address.hex(), m.height] for m in block.misbehavior],
        }
    ).encode()


def decode_block(raw: bytes) -> BlockInput:
    doc = json.loads(raw)
    return BlockInput(
        height=doc["height"],
        time_ms=doc["time_ms"],
        hash=bytes.fromhex(doc["hash"]),
        proposer_address=bytes.fromhex(doc["proposer"]),
        txs=tuple(bytes.fromhex(tx) for tx in doc["txs"]),
        misbehavior=tuple(Misbehavior(kind, bytes.fromhex(address), h) for kind, address, h in doc["misbehavior"]),
    )


class Node:
    def __init__(self, path: Path, genesis: Genesis) -> None:
        self.db = ChainDB(path)
        self.app = GonkaApp(self.db, CHAIN_ID)
        self.blocks = BlockStore(self.db)
        self.genesis_updates, self.genesis_app_hash = self.app.init_chain(genesis)

    @property
    def height(self) -> int:
        return self.app.info().last_height

    def block_input(
        self, txs: Sequence[bytes], misbehavior: Sequence[Misbehavior] = (), time_ms: int | None = None
    ) -> BlockInput:
        height = self.height + 1
        return BlockInput(
            height=height,
            time_ms=1_000_000 + 1000 * height if time_ms is None else time_ms,
            hash=sha256(b"block %d" % height),
            proposer_address=b"\x01" * 20,
            txs=tuple(txs),
            misbehavior=tuple(misbehavior),
        )

    def run_block(self, txs: Sequence[bytes] = (), misbehavior: Sequence[Misbehavior] = ()) -> FinalizeResult:
        return self.apply(self.block_input(txs, misbehavior))

    def apply(self, block: BlockInput) -> FinalizeResult:
        """What the engine does with a decided block."""
        result = self.app.finalize_block(block)
        keys = [update.public_key for update in result.validator_updates]
        assert len(keys) == len(set(keys)), "the engine refuses two updates for one validator in a block"
        with self.db.transaction():
            self.blocks.save_block(block.height, block.hash, encode_block(block), b"commit", block.txs, result)
            self.app.commit()
        return result

    def run_blocks_until(self, height: int) -> list[FinalizeResult]:
        return [self.run_block() for _ in range(height - self.height)]

    def account(self, key: AccountKey) -> dict[str, Any]:
        return self.app.query("account", {"address": key.address})

    def balance(self, key: AccountKey) -> int:
        amount: int = self.app.query("balance", {"address": key.address})["amount"]
        return amount

    def sign(
        self,
        key: AccountKey,
        *messages: Message,
        sequence: int | None = None,
        account_number: int | None = None,
        chain_id: str = CHAIN_ID,
    ) -> bytes:
        """A tx with the account's committed number and sequence unless given."""
        if sequence is None or account_number is None:
            account = self.account(key)
            sequence = account["sequence"] if sequence is None else sequence
            account_number = account["account_number"] if account_number is None else account_number
        return build_tx(key, chain_id, account_number, sequence, list(messages))
