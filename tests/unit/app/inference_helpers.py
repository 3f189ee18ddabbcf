"""Inference test fixtures: a four-host genesis, signed Start/Finish messages, one-tx blocks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

from node.chain.app.abci import TxResult
from node.chain.app.genesis import Genesis, GenesisAccount, GenesisValidator
from node.chain.app.inference.state import MODULE_ACCOUNT
from node.chain.app.models.defaults import DEVNET_MODEL_ID
from node.core.consensus_keys import ConsensusKey
from node.core.inference_signing import sign_request, sign_transfer
from node.core.keys import AccountKey
from node.proto.gonka.inference_pb2 import MsgFinishInference, MsgStartInference

from .harness import ALICE, BOB, CAROL, CHAIN_ID, DAVE, GNK, Node

DEV = AccountKey.from_private_hex(f"{5:064x}")  # the developer (requester)
POOR = AccountKey.from_private_hex(f"{6:064x}")  # a developer with almost nothing
HOSTS = (ALICE, BOB, CAROL, DAVE)
MODEL = DEVNET_MODEL_ID
PRICE = 1000  # devnet base price, pinned by a floor of 1000 in these tests
DEV_FUNDS = 100 * GNK
# A long first epoch: no PoC interferes; the price cannot decay below base.
PINNED = {"epoch": {"epoch_length": 400, "epoch_shift": 0}, "pricing": {"min_per_token_price": PRICE}}


def inference_genesis(powers: tuple[int, ...] = (10, 10, 10, 10), **overrides: Any) -> Genesis:
    """Hosts ALICE..DAVE (genesis validators with `powers`, keys on chain); DEV funded, POOR nearly broke."""
    hosts = HOSTS[: len(powers)]
    accounts = [GenesisAccount(key.address, 100 * GNK, key.public_key) for key in hosts]
    accounts += [
        GenesisAccount(DEV.address, DEV_FUNDS, DEV.public_key),
        GenesisAccount(POOR.address, 10, POOR.public_key),
    ]
    return Genesis(
        chain_id=CHAIN_ID,
        genesis_time_ms=1_000_000,
        params_profile="devnet",
        params_overrides=overrides or PINNED,
        accounts=tuple(accounts),
        validators=tuple(
            GenesisValidator(f"host{i}", key.address, ConsensusKey.from_seed(bytes([i + 1]) * 32).public_key, power)
            for i, (key, power) in enumerate(zip(hosts, powers, strict=True))
        ),
        faucet=ALICE.address,
    )


def make_node(tmp_path: Path, genesis: Genesis | None = None) -> Node:
    return Node(tmp_path / "node.db", genesis or inference_genesis())


@dataclass(frozen=True)
class Request:
    """One developer request routed by `ta` to `executor`, with every signature made properly."""

    prompt: str = '{"model":"devnet-llama-10m-seed0","messages":[{"role":"user","content":"hi"}]}'
    timestamp_ns: int = 1_700_000_000_000_000_000
    dev: AccountKey = DEV
    ta: AccountKey = ALICE
    executor: AccountKey = BOB

    @property
    def inference_id(self) -> str:
        return sign_request(self.dev, self.prompt, self.timestamp_ns, self.ta.address)

    def ta_signature(self) -> str:
        return sign_transfer(self.ta, self.prompt, self.timestamp_ns, self.ta.address, self.executor.address)

    def start(self, **fields: Any) -> MsgStartInference:
        values: dict[str, Any] = {
            "creator": self.ta.address,
            "inference_id": self.inference_id,
            "prompt_hash": "ab" * 32,
            "prompt_payload": self.prompt,
            "model": MODEL,
            "requested_by": self.dev.address,
            "assigned_to": self.executor.address,
            "node_version": "v1",
            "max_tokens": 100,
            "prompt_token_count": len(self.prompt),
            "request_timestamp": self.timestamp_ns,
            "transfer_signature": self.ta_signature(),
            "original_prompt": self.prompt,
        }
        return MsgStartInference(**(values | fields))

    def finish(self, prompt_tokens: int = 20, completion_tokens: int = 30, **fields: Any) -> MsgFinishInference:
        # The executor signs the same bytes as the TA.
        executor_signature = sign_transfer(
            self.executor, self.prompt, self.timestamp_ns, self.ta.address, self.executor.address
        )
        values: dict[str, Any] = {
            "creator": self.executor.address,
            "inference_id": self.inference_id,
            "response_hash": "cd" * 32,
            "response_payload": '{"choices":[]}',
            "prompt_token_count": prompt_tokens,
            "completion_token_count": completion_tokens,
            "executed_by": self.executor.address,
            "transferred_by": self.ta.address,
            "request_timestamp": self.timestamp_ns,
            "transfer_signature": self.ta_signature(),
            "executor_signature": executor_signature,
            "requested_by": self.dev.address,
            "original_prompt": self.prompt,
            "model": MODEL,
        }
        return MsgFinishInference(**(values | fields))


def submit(node: Node, key: AccountKey, *messages: Message) -> TxResult:
    """One tx signed by `key`, alone in the next block."""
    return node.run_block([node.sign(key, *messages)]).tx_results[0]


def events_of(result: TxResult, kind: str) -> list[dict[str, str]]:
    return [dict(event.attributes) for event in result.events if event.type == kind]


def module_balance(node: Node) -> int:
    amount: int = node.app.query("balance", {"address": MODULE_ACCOUNT})["amount"]
    return amount


def inference(node: Node, request: Request) -> dict[str, Any]:
    return node.app.query("inference", {"inference_id": request.inference_id})


def work(node: Node, key: AccountKey) -> dict[str, Any]:
    return node.app.query("executor_status", {"address": key.address})
