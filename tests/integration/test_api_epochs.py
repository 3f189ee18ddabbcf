"""Whole epochs driven by the api nodes' orchestrators and validators against a real chain.

Three participants on a chain-only devnet whose PoC stages are stretched (in blocks) for
this machine's fast blocks, each with a real in-process ML node and its api node's
orchestrator and validator running in this process. p3 is the lazy-validator adversary.
In the genesis epoch the test plays developer, TA and executor for three inferences
(through the participants' own tx senders), picking inference ids that the validators'
committed seeds select, so the duties are known in advance:

    A  executed by p1, due for validation by p3 (lazy: it skips it and must lose its claim)
    B  executed by p3, due for validation by p1
    C  executed by p2 with doctored logprobs, due for validation by p1: it fails, an
       invalidation vote opens, p2's api node re-runs it and votes too: INVALIDATED
    D  executed by p2, honest, due for validation by p3 only: p3 plays a lone bad validator
       (the test sends its failing verdict, as its lazy api node validates nothing); p1's and
       p2's api nodes re-run it and outvote p3: VALIDATED

Then the first PoC: seeds, sprints, batches, batch validations, weights, the validator
switch and the claims of the genesis epoch. p2's orchestrator and validator are restarted
in the middle of the sprint (same data_dir, fresh links), as after a crash.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from node.api.chain_link import ChainLink
from node.api.context import ApiContext
from node.api.events import ChainBlock, ChainEvent, follow_blocks
from node.api.orchestrator import run_orchestrator
from node.api.seeds import SeedStore, seed_bytes
from node.api.tx_sender import TxSender
from node.api.validator import run_validator
from node.chain.app.genesis import Genesis
from node.core.inference_signing import sign_request, sign_transfer
from node.core.keys import AccountKey, verify_signature
from node.core.tx import register_message
from node.core.validation_policy import FinishedInference, should_validate
from node.devnet.network import Devnet
from node.ml.client import MlNodeClient
from node.ml.config import MlNodeConfig
from node.ml.server import MlServer, start
from node.proto.gonka.inference_pb2 import MsgFinishInference, MsgStartInference
from node.proto.gonka.validation_pb2 import MsgValidation, ValidationParams

pytestmark = pytest.mark.slow

MODEL = "devnet-llama-10m-seed0"
NAMES = ("p1", "p2", "p3")
LAZY = "p3"
GENESIS_POWER = 10
FIRST_POC = 40
# Blocks come every ~0.3 s here while a PoW batch takes ~0.5 s: a 20-block generation gives
# each sprint several batches.
OVERRIDES = {
    "epoch": {
        "epoch_length": 200,
        "epoch_shift": 200 - FIRST_POC,
        "poc_stage_duration": 20,
        "poc_exchange_duration": 3,
        "poc_validation_delay": 3,
        "poc_validation_duration": 10,
        "set_new_validators_delay": 2,
        "inference_validation_cutoff": 5,
    }
}
SCENARIO_TIMEOUT_S = 150.0

register_message(MsgStartInference)
register_message(MsgFinishInference)
register_message(MsgValidation)


# -- the network --------------------------------------------------------------------------------


def _create_devnet(directory: Path) -> Devnet:
    net = Devnet.create(directory, participants=len(NAMES))
    for path in directory.rglob("genesis.json"):  # the network's and every node's copy
        genesis = Genesis.load(path)
        dataclasses.replace(genesis, params_overrides=OVERRIDES).dump(path)
    nodes = net.manifest.nodes_of("chain")
    for node in nodes:
        net.start(node.name, wait=False)
    net.wait_ready(nodes, timeout_s=60)
    return net


def _ml_config(name: str) -> MlNodeConfig:
    return MlNodeConfig.from_dict(
        {
            "name": f"{name}-ml",
            "grpc": {"listen": "127.0.0.1:0"},
            "pow": {"threads": 1, "batch_size": 16},
            "inference": {"models": [MODEL]},
        }
    )


@dataclass
class ApiNode:
    """One participant's api node duties, run as tasks in this process."""

    name: str
    key: AccountKey
    chain_url: str
    chain_id: str
    ml_url: str
    data_dir: Path
    adversary: str
    ctx: ApiContext | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.key.address

    def start(self) -> None:
        chain = ChainLink(self.chain_url)
        self.ctx = ApiContext(
            name=self.name,
            chain_id=self.chain_id,
            key=self.key,
            public_url="http://127.0.0.1:1",
            chain=chain,
            tx=TxSender(chain, self.key, self.chain_id),
            ml_nodes=[MlNodeClient(self.ml_url, timeout_s=60)],
            data_dir=self.data_dir,
            model=MODEL,
            adversary=self.adversary,
        )
        self.tasks = [
            asyncio.create_task(run_orchestrator(self.ctx), name=f"{self.name}-orchestrator"),
            asyncio.create_task(run_validator(self.ctx), name=f"{self.name}-validator"),
        ]

    async def stop(self) -> None:
        """Cancel both duties (as a crash or shutdown would); they must still be running."""
        assert self.ctx is not None
        dead = [task for task in self.tasks if task.done()]
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for ml in self.ctx.ml_nodes:
            await ml.close()
        await self.ctx.chain.close()
        assert not dead, f"{self.name}: {[t.get_name() for t in dead]} ended early: {[t.exception() for t in dead]}"


def _matching(blocks: list[ChainBlock], event_type: str, **attributes: str) -> list[ChainEvent]:
    return [
        event
        for block in blocks
        for event in block.of_type(event_type)
        if all(event.attributes.get(key) == value for key, value in attributes.items())
    ]


@dataclass
class EpochRun:
    net: Devnet
    nodes: dict[str, ApiNode]
    initial_balances: dict[str, int]
    inferences: dict[str, str]  # A, B, C -> inference id
    blocks: list[ChainBlock]
    seeds: dict[str, dict[int, int]]  # participant -> epoch -> seed, as kept in its data_dir
    params: ValidationParams

    def events(self, event_type: str, **attributes: str) -> list[ChainEvent]:
        return _matching(self.blocks, event_type, **attributes)

    def address(self, name: str) -> str:
        return self.nodes[name].address


# -- the scenario -------------------------------------------------------------------------------


async def _until(condition: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_s:.0f} s waiting for {what}"
        await asyncio.sleep(0.1)


async def _fail_as_lone_validator(validator: ApiNode, chain: ChainLink, inference_id: str) -> None:
    """`validator` reports a failing verdict (similarity 0) on an honest inference."""
    assert validator.ctx is not None
    record = await chain.query("inference", inference_id=inference_id)
    verdict = MsgValidation(creator=validator.address, inference_id=inference_id,
                            response_hash=record["response_hash"], value_ppm=0)
    result = await validator.ctx.tx.send([verdict], wait=True)
    assert result.committed and result.code == 0, (result.check_log, result.log)


def _doctored(response: dict[str, Any]) -> dict[str, Any]:
    """The same tokens with every logprob doubled: similarity ~0.98, under the devnet threshold 0.99."""
    doctored = copy.deepcopy(response)
    for entry in doctored["choices"][0]["logprobs"]["content"]:
        entry["logprob"] *= 2
        for top in entry["top_logprobs"]:
            top["logprob"] *= 2
    return doctored


async def _inference(
    developer: AccountKey, ta: ApiNode, executor: ApiNode, ml: MlNodeClient,
    due_for: tuple[str, int], params: ValidationParams, doctor: bool = False,
    not_due_for: tuple[str, int] | None = None,
) -> str:
    """Run one inference through the chain whose id the validator `due_for` (address, seed) must
    check, and `not_due_for` (if given) must not."""
    for attempt in range(1000):
        body = {
            "model": MODEL, "messages": [{"role": "user", "content": f"Tell me about epoch {attempt}."}],
            "max_tokens": 8, "logprobs": True, "top_logprobs": 5, "seed": attempt, "temperature": 0.7,
        }
        original = json.dumps(body)
        stamp = time.time_ns()
        inference_id = sign_request(developer, original, stamp, ta.address)
        # Below the min-traffic cutoff the rule ignores traffic and reputation: these are the chain's values.
        finished = FinishedInference(inference_id, executor.address, GENESIS_POWER, 0, 3 * GENESIS_POWER, 0)

        def due(validator_seed: tuple[str, int]) -> bool:
            validator, seed = validator_seed
            return should_validate(seed, validator, GENESIS_POWER, finished, params)

        if due(due_for) and (not_due_for is None or not due(not_due_for)):
            break
    response = await ml.chat(body)
    if doctor:
        response = _doctored(response)
    ta_signature = sign_transfer(ta.key, original, stamp, ta.address, executor.address)
    start_message = MsgStartInference(
        creator=ta.address, inference_id=inference_id, prompt_hash=hashlib.sha256(original.encode()).hexdigest(),
        prompt_payload=original, model=MODEL, requested_by=developer.address, assigned_to=executor.address,
        max_tokens=8, prompt_token_count=len(body["messages"][0]["content"]), request_timestamp=stamp,
        transfer_signature=ta_signature, original_prompt=original,
    )
    content = response["choices"][0]["message"]["content"]
    finish_message = MsgFinishInference(
        creator=executor.address, inference_id=inference_id,
        response_hash=hashlib.sha256(content.encode()).hexdigest(), response_payload=json.dumps(response),
        prompt_token_count=response["usage"]["prompt_tokens"],
        completion_token_count=response["usage"]["completion_tokens"], executed_by=executor.address,
        transferred_by=ta.address, request_timestamp=stamp, transfer_signature=ta_signature,
        executor_signature=sign_transfer(executor.key, original, stamp, ta.address, executor.address),
        requested_by=developer.address, original_prompt=original, model=MODEL,
    )
    assert ta.ctx is not None and executor.ctx is not None
    results = await asyncio.gather(
        ta.ctx.tx.send([start_message], wait=True), executor.ctx.tx.send([finish_message], wait=True)
    )
    assert all(r.committed and r.code == 0 for r in results), [(r.check_log, r.log) for r in results]
    return inference_id


async def _scenario(net: Devnet, data_root: Path) -> EpochRun:
    manifest = net.manifest
    chain_id = manifest.chain_id
    chain_urls = {node.participant: node.url for node in manifest.nodes_of("chain")}
    developer = AccountKey.from_private_hex(manifest.faucet.private_key)
    assert net.fund(AccountKey.generate().address, 1, wait=True)["code"] == 0  # the developer's key goes on chain
    servers: list[MlServer] = [await start(_ml_config(name)) for name in NAMES]
    ml_urls = {name: f"127.0.0.1:{server.port}" for name, server in zip(NAMES, servers, strict=True)}
    nodes = {
        entry.name: ApiNode(
            entry.name, AccountKey.from_private_hex(entry.private_key), chain_urls[entry.name], chain_id,
            ml_urls[entry.name], data_root / entry.name, "lazy-validator" if entry.name == LAZY else "",
        )
        for entry in manifest.participants
    }
    observer = ChainLink(chain_urls["p1"])
    blocks: list[ChainBlock] = []

    async def record() -> None:
        async for block in follow_blocks(observer, 1):
            blocks.append(block)

    def seen(event_type: str, **attributes: str) -> list[ChainEvent]:
        return _matching(blocks, event_type, **attributes)

    recorder = asyncio.create_task(record())
    clients = {name: MlNodeClient(url) for name, url in ml_urls.items()}
    try:
        initial = {name: (await observer.query("balance", address=n.address))["amount"] for name, n in nodes.items()}
        params = ValidationParams(**(await observer.query("params"))["validation"])
        for node in nodes.values():
            node.start()
        await _until(lambda: len(seen("seed_submitted", epoch_index="0")) == len(NAMES), "the genesis seed commits")
        seeds = {name: SeedStore(node.data_dir).get(0) for name, node in nodes.items()}
        p1, p2, p3 = (nodes[name] for name in NAMES)
        inferences = dict(
            zip(
                "ABCD",
                await asyncio.gather(
                    _inference(developer, p2, p1, clients["p1"], (p3.address, seeds["p3"]), params),
                    _inference(developer, p1, p3, clients["p3"], (p1.address, seeds["p1"]), params),
                    _inference(developer, p3, p2, clients["p2"], (p1.address, seeds["p1"]), params, doctor=True),
                    _inference(developer, p1, p2, clients["p2"], (p3.address, seeds["p3"]), params,
                               not_due_for=(p1.address, seeds["p1"])),
                ),
                strict=True,
            )
        )
        await _fail_as_lone_validator(p3, observer, inferences["D"])
        height = blocks[-1].height
        assert height < FIRST_POC - OVERRIDES["epoch"]["inference_validation_cutoff"], (
            f"the inferences finished at height {height}, too late for the genesis epoch's validation duty"
        )
        await _until(lambda: seen("poc_batch", address=p2.address), "p2's first PoC batch")
        await p2.stop()  # a crash in the middle of the sprint ...
        p2.start()  # ... and a restart from the same data_dir
        await _until(lambda: len(seen("rewards_claimed", epoch_index="0")) == len(NAMES), "the genesis epoch's claims")
        for node in nodes.values():
            await node.stop()
        kept = {name: {e: SeedStore(node.data_dir).get(e) for e in (0, 1)} for name, node in nodes.items()}
        return EpochRun(net, nodes, initial, inferences, list(blocks), kept, params)  # type: ignore[arg-type]
    finally:
        recorder.cancel()
        for node in nodes.values():
            if node.ctx is not None and not all(t.done() for t in node.tasks):
                await node.stop()
        for client in clients.values():
            await client.close()
        await observer.close()
        for server in servers:
            await server.stop()


@pytest.fixture(scope="module")
def epoch_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EpochRun]:
    root = tmp_path_factory.mktemp("api-epochs")
    net = _create_devnet(root / "net")
    try:
        yield asyncio.run(asyncio.wait_for(_scenario(net, root / "api"), SCENARIO_TIMEOUT_S))
    finally:
        net.down()


def _query(run: EpochRun, path: str, **params: Any) -> Any:
    with run.net.client() as client:
        return client.query(path, **params)


# -- what the chain shows ------------------------------------------------------------------------


def test_each_participant_committed_its_kept_seeds(epoch_run: EpochRun) -> None:
    for name in NAMES:
        address = epoch_run.address(name)
        for epoch in (0, 1):
            assert epoch_run.events("seed_submitted", address=address, epoch_index=str(epoch)), (name, epoch)
            node = epoch_run.nodes[name]
            record = SeedStore(node.data_dir).record(epoch)
            assert record is not None and record.committed
            assert verify_signature(node.key.public_key, seed_bytes(record.seed), bytes.fromhex(record.signature))
    assert set(_query(epoch_run, "epoch_group", epoch=1)["seed_commits"]) == {epoch_run.address(n) for n in NAMES}


def test_sprints_submitted_batches_without_a_repeated_nonce(epoch_run: EpochRun) -> None:
    batches = _query(epoch_run, "poc_batches", epoch=1)["batches"]
    for name in NAMES:  # p2's sprint went on across its restart
        nonces = [n for batch in batches if batch["participant"] == epoch_run.address(name) for n in batch["nonces"]]
        assert nonces, f"{name} submitted no batch"
        assert len(nonces) == len(set(nonces)), f"{name} submitted a nonce twice"


def test_every_participant_validated_every_participants_batches(epoch_run: EpochRun) -> None:
    validations = _query(epoch_run, "poc_validations", epoch=1)["validations"]
    pairs = {(v["validator"], v["participant"]) for v in validations}
    addresses = [epoch_run.address(n) for n in NAMES]
    assert pairs == {(a, b) for a in addresses for b in addresses}  # its own batches included
    assert not any(v["fraud_detected"] for v in validations)


def test_weights_follow_the_sprint_and_become_voting_power(epoch_run: EpochRun) -> None:
    members = {m["address"]: m["weight"] for m in _query(epoch_run, "epoch_group", epoch=1)["members"]}
    assert set(members) == {epoch_run.address(n) for n in NAMES} and all(w > 0 for w in members.values())
    assert epoch_run.events("validators_switched", epoch_index="1")
    participants = {p["address"]: p for p in _query(epoch_run, "participants")["participants"]}
    powers = {address: participants[address]["voting_power"] for address in members}
    assert powers == members, "consensus power is the new group's weight after set-new-validators"
    assert set(powers.values()) != {GENESIS_POWER}


def test_validators_ran_exactly_the_inferences_their_seeds_chose(epoch_run: EpochRun) -> None:
    for label, inference_id in epoch_run.inferences.items():
        if label == "D":
            continue  # the test itself sent p3's verdict
        inference = _query(epoch_run, "inference", inference_id=inference_id)
        validators = {r["validator"] for r in inference["validations"] if not r["revalidation"]}
        recorded = FinishedInference(
            inference_id, inference["executed_by"], inference["executor_power"], inference["executor_reputation"],
            inference["total_power"], inference["traffic_basis"],
        )
        for name in NAMES:
            address = epoch_run.address(name)
            chosen = should_validate(epoch_run.seeds[name][0], address, GENESIS_POWER, recorded, epoch_run.params)
            expected = chosen and name != LAZY
            assert (address in validators) == expected, (label, name, chosen)


def test_an_honest_inference_is_validated(epoch_run: EpochRun) -> None:
    inference = _query(epoch_run, "inference", inference_id=epoch_run.inferences["B"])
    assert inference["status"] == "VALIDATED"
    assert any(r["validator"] == epoch_run.address("p1") and r["passed"] for r in inference["validations"])


def test_a_doctored_inference_is_voted_invalid(epoch_run: EpochRun) -> None:
    inference = _query(epoch_run, "inference", inference_id=epoch_run.inferences["C"])
    assert inference["status"] == "INVALIDATED"
    records = {(r["validator"], r["revalidation"]): r for r in inference["validations"]}
    assert not records[(epoch_run.address("p1"), False)]["passed"]
    assert not records[(epoch_run.address("p2"), True)]["passed"], "the executor's api node re-ran it and voted"
    assert (epoch_run.address(LAZY), True) not in records


def test_a_lone_bad_validator_is_outvoted(epoch_run: EpochRun) -> None:
    inference = _query(epoch_run, "inference", inference_id=epoch_run.inferences["D"])
    assert inference["status"] == "VALIDATED"
    assert inference["vote"]["outcome"] == "revalidated", inference["vote"]
    records = {(r["validator"], r["revalidation"]): r for r in inference["validations"]}
    assert not records[(epoch_run.address(LAZY), False)]["passed"]
    for name in ("p1", "p2"):  # the executor's api node votes too
        assert records[(epoch_run.address(name), True)]["passed"], name
    assert not epoch_run.events("inference_invalidated", inference_id=epoch_run.inferences["D"])


def test_honest_participants_are_paid_their_settlement(epoch_run: EpochRun) -> None:
    for name in ("p1", "p2"):
        address = epoch_run.address(name)
        summary = _query(epoch_run, "settlement", address=address, epoch=0)
        assert summary["unclaimed"] is None
        (performance,) = summary["epochs"]
        settled = performance["work_coins"] + performance["reward_coins"]
        assert performance["reward_coins"] > 0
        (claim,) = epoch_run.events("rewards_claimed", address=address, epoch_index="0")
        assert int(claim.attributes["paid"]) == settled
        assert _query(epoch_run, "balance", address=address)["amount"] == epoch_run.initial_balances[name] + settled


def test_the_lazy_validator_loses_its_claim(epoch_run: EpochRun) -> None:
    address = epoch_run.address(LAZY)
    (claim,) = epoch_run.events("rewards_claimed", address=address, epoch_index="0")
    assert claim.attributes["paid"] == "0" and int(claim.attributes["burned"]) > 0
    assert any("missed" in e.attributes["reason"] for e in epoch_run.events("forfeited", address=address))
    assert _query(epoch_run, "balance", address=address)["amount"] == epoch_run.initial_balances[LAZY]
