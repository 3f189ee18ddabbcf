"""A DiLoCo training task end to end on the live 4-validator devnet.

The developer creates and funds the task with `gonka train`; bad specs are refused with the
chain's reason. Each host runs the ML node's training service (a real process serving
training.proto on 127.0.0.1), which launches a torchft worker; a relay per host plays the
api node's part: it turns the worker's events into join, heartbeat and commit transactions.
The last assignee runs `lazy-trainer`. One honest worker is SIGKILLed mid-run: the others go
on; restarted, it heals from them and ends with identical weights. Then every worker is
re-executed by two other hosts' services (artifacts fetched over gRPC from the worker's
service) and their verdicts go on chain: honest workers are verified and paid, the lazy one is
caught and unpaid, and the escrow closes at zero with the rest refunded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from click.testing import CliRunner

from gonka_lab.cli import main
from gonka_lab.commands.train import broadcast_messages
from node.chain.app.training.state import ESCROW_ACCOUNT
from node.chain.client import ChainClient
from node.core.keys import AccountKey
from node.devnet.genesis import GNK
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for
from node.ml.service.training import READY_PREFIX
from node.ml.training.lighthouse import start_lighthouse
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc
from node.proto.gonka.training_tasks_pb2 import (
    MsgCommitTrainingStep,
    MsgJoinTrainingTask,
    MsgSubmitTrainingValidation,
    MsgTrainingHeartbeat,
    SegmentCheck,
    StepCommitment,
)

pytestmark = pytest.mark.slow

SPEC = {
    "model": "tiny-llama",
    "dataset": "kjv-pentateuch",
    "inner_steps": 10,
    "outer_steps": 30,
    "min_workers": 3,
    "max_workers": 4,
    "batch_size": 8,
    "seq_len": 64,
    "seed": 11,
    "inner_lr": 0.001,
    "segment_steps": 5,
    "budget": 12 * GNK,  # 4 workers x 30 steps: 0.1 GNK per verified worker-step
}
HEARTBEAT_EVERY_S = 2.0
RESTART_POLL_S = 0.2
TRAIN_TIMEOUT_S = 240.0


def gonka(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@dataclass
class Host:
    """One participant: its account key, its training service and the relay of its worker."""

    name: str
    key: AccountKey
    address: str = ""  # the training service, HOST:PORT
    service: subprocess.Popen[bytes] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)  # what the relay has handled
    errors: list[str] = field(default_factory=list)
    starts: int = 1  # worker starts the relay must see before it may end

    def stub(self) -> pb_grpc.TrainingStub:
        return pb_grpc.TrainingStub(grpc.insecure_channel(self.address))

    def status(self, task_id: int) -> pb.TrainingStatus:
        return self.stub().GetTrainingStatus(pb.TrainingStatusRequest(task_id=task_id))

    def commits(self) -> list[int]:
        return [e["commitment"]["outer_step"] for e in list(self.events) if e["event"] == "commit"]


def start_service(host: Host, folder: Path) -> None:
    folder.mkdir(parents=True)
    with (folder / "service.log").open("ab") as log:
        host.service = subprocess.Popen(
            [sys.executable, "-m", "node.ml.service.training", "--listen", "127.0.0.1:0", "--home", str(folder)],
            stdout=subprocess.PIPE,
            stderr=log,
        )
    assert host.service.stdout is not None
    line = host.service.stdout.readline().decode()
    assert line.startswith(READY_PREFIX), f"training service of {host.name} did not start (see {folder})"
    host.address = line[len(READY_PREFIX) :].strip()


def relay(host: Host, chain_url: str, task_id: int) -> None:
    """The api node's part: the worker's events become transactions, in order, until the worker
    ends for good (a restarted worker appends to the same log, so the relay reads on)."""
    last_beat = 0.0
    with ChainClient(chain_url) as client:
        while True:
            request = pb.StreamTrainingEventsRequest(task_id=task_id, from_index=len(host.events))
            for item in host.stub().StreamTrainingEvents(request):
                event = json.loads(item.json)
                host.events.append(event)
                message: Any = None
                if event["event"] == "started":  # a (re)started worker (re)joins
                    message = MsgJoinTrainingTask(creator=host.key.address, task_id=task_id)
                elif event["event"] == "commit":
                    commitment = StepCommitment(**event["commitment"])
                    message = MsgCommitTrainingStep(creator=host.key.address, commitment=commitment)
                elif event["event"] == "heartbeat" and time.monotonic() - last_beat > HEARTBEAT_EVERY_S:
                    message = MsgTrainingHeartbeat(creator=host.key.address, task_id=task_id,
                                                   outer_step=event["outer_step"], inner_step=event["inner_step"])
                elif event["event"] == "error":
                    host.errors.append(event["message"])
                if message is None:
                    continue
                result = broadcast_messages(client, host.key, message, wait=True)
                last_beat = time.monotonic()
                if result["check_code"] or result.get("code"):
                    host.errors.append(f"{type(message).__name__}: {result['check_log'] or result['log']}")
            if sum(e["event"] == "started" for e in host.events) >= host.starts:
                return
            time.sleep(RESTART_POLL_S)  # the worker was killed; its successor is not up yet


def start_worker(host: Host, task: dict[str, Any], lighthouse: str, adversary: str = "") -> None:
    host.stub().StartTraining(
        pb.StartTrainingRequest(
            task_id=task["id"],
            spec_json=json.dumps(task["spec"]),
            shard=task["assignees"].index(host.key.address),
            num_shards=len(task["assignees"]),
            lighthouse_url=lighthouse,
            replica_id=host.name,
            adversary=adversary,
        )
    )


@pytest.fixture
def hosts(devnet: Devnet, tmp_path: Path) -> Iterator[list[Host]]:
    started = [Host(p.name, AccountKey.from_private_hex(p.private_key)) for p in devnet.manifest.participants]
    try:
        for host in started:
            start_service(host, tmp_path / host.name)
        yield started
    finally:
        for host in started:
            if host.service is not None:
                host.service.terminate()  # it stops its workers
                host.service.wait(timeout=30)


def write_spec(path: Path, **changes: Any) -> str:
    path.write_text(json.dumps(SPEC | changes))
    return str(path)


def test_diloco_task_on_chain_with_a_killed_worker_and_a_lazy_one(
    devnet: Devnet, home: Path, hosts: list[Host], tmp_path: Path
) -> None:
    chain_url = devnet.node("p1").url
    developer = AccountKey.generate()
    assert devnet.fund(developer.address, 20 * GNK, wait=True)["code"] == 0
    assert gonka("keys", "add", "dev", "--recover", developer.private_hex)[0] == 0

    # Bad specs are refused with the chain's reason and cost nothing.
    for changes, reason in (
        ({"model": "gpt-9"}, "unknown model 'gpt-9'"),
        ({"budget": 1000}, "budget too small"),
        ({"inner_steps": 5000}, "inner_steps (H) must be in [2, 1000]"),
    ):
        code, output = gonka("train", "start", "--spec", write_spec(tmp_path / "bad.json", **changes), "--from", "dev")
        assert code == 1 and reason in output, output
    assert devnet.client().balance(developer.address) == 20 * GNK

    code, output = gonka("train", "start", "--spec", write_spec(tmp_path / "task.json"), "--from", "dev", "--json")
    assert code == 0, output
    created = json.loads(output)
    assert created["status"] == "OPEN" and len(created["assignees"]) == 4
    task_id = created["task_id"]
    with ChainClient(chain_url) as client:
        task = client.query("training_task", task_id=task_id)
    by_address = {host.key.address: host for host in hosts}
    workers = [by_address[address] for address in task["assignees"]]  # in shard order
    lazy, victim = workers[-1], workers[0]

    lighthouse, url = start_lighthouse(SPEC["min_workers"], tmp_path / "lighthouse.log")
    try:
        for host in workers:
            start_worker(host, task, url, "lazy-trainer" if host is lazy else "")
        relays = [threading.Thread(target=relay, args=(h, chain_url, task_id), daemon=True) for h in workers]
        for thread in relays:
            thread.start()

        # Kill an honest worker after two commits and restart it at once: it needs seconds to
        # come back, the others go on without it meanwhile, then it heals from them.
        assert wait_for(lambda: victim.status(task_id).commits >= 2, 120, 0.2)
        victim.starts = 2
        os.kill(victim.status(task_id).pid, signal.SIGKILL)
        assert wait_for(lambda: victim.status(task_id).state == "FAILED", 10, 0.1)
        start_worker(victim, task, url)
        for thread in relays:
            thread.join(timeout=TRAIN_TIMEOUT_S)
        assert not any(thread.is_alive() for thread in relays), "workers did not finish"
    finally:
        lighthouse.terminate()
        lighthouse.wait(timeout=10)

    for host in workers:
        assert host.errors == [], (host.name, host.errors)
    healed = [e for e in victim.events if e["event"] == "healed"]
    assert healed and max(victim.commits()) == SPEC["outer_steps"] - 1
    missed = set(range(SPEC["outer_steps"])) - set(victim.commits())
    assert len(missed) >= 2, "the victim was away for some outer steps"
    for host in workers:
        if host is not victim:
            assert missed <= set(host.commits()), "the others trained on while the victim was away"
    finals = {e["final_params_hash"] for h in workers for e in h.events if e["event"] == "done"}
    assert len(finals) == 1, "every worker, the restarted one included, ends with the same weights"

    with ChainClient(chain_url) as client:
        assert wait_for(lambda: client.query("training_task", task_id=task_id)["status"] == "VALIDATING", 30, 0.3)
        task = client.query("training_task", task_id=task_id)
        everyone = client.query("training_commitments", task_id=task_id)["commitments"]

        # Two other hosts' services re-execute each worker's segments and vote on chain.
        def validate(validator: Host, worker: Host) -> None:
            verdict = validator.stub().ValidateTraining(
                pb.ValidateTrainingRequest(
                    spec_json=json.dumps(task["spec"]),
                    shard=task["assignees"].index(worker.key.address),
                    num_shards=len(task["assignees"]),
                    commitments_json=json.dumps([c for c in everyone if c["worker"] == worker.key.address]),
                    all_commitments_json=json.dumps(everyone),
                    challenge_seed=bytes.fromhex(task["challenge_seed"]),
                    validator=validator.key.address,
                    worker=worker.key.address,
                    segments=2,
                    artifact_source=worker.address,
                ),
                timeout=120,
            )
            checks = [SegmentCheck(**check) for check in json.loads(verdict.checks_json)]
            vote = MsgSubmitTrainingValidation(creator=validator.key.address, task_id=task_id,
                                               worker=worker.key.address, passed=verdict.passed, checks=checks)
            with ChainClient(chain_url) as own:
                result = broadcast_messages(own, validator.key, vote, wait=True)
            assert result["check_code"] == 0 and result["code"] == 0, result

        verdicts: dict[str, bool] = {}
        for index, worker in enumerate(workers):
            validators = [workers[(index + 1) % 4], workers[(index + 2) % 4]]
            for validator in validators:  # one host validates one worker at a time: its nonce stays in order
                validate(validator, worker)
            votes = [v for v in client.query("training_task", task_id=task_id)["validations"]
                     if v["worker"] == worker.key.address]
            verdicts[worker.name] = all(v["passed"] for v in votes)
        assert verdicts == {h.name: h is not lazy for h in workers}

        assert wait_for(lambda: client.query("training_task", task_id=task_id)["status"] == "SETTLED", 30, 0.3)
        settled = client.query("training_task", task_id=task_id)
        statuses = {w["address"]: (w["status"], w["paid"]) for w in settled["workers"]}
        per_step = settled["payment_per_step"]
        for worker in workers:
            record = next(w for w in settled["workers"] if w["address"] == worker.key.address)
            expected = ("CAUGHT", 0) if worker is lazy else ("VERIFIED", per_step * record["committed_steps"])
            assert statuses[worker.key.address] == expected
        assert settled["escrow"] == 0 and client.balance(settled["creator"]) == 20 * GNK - settled["paid"]
        assert settled["paid"] + settled["refunded"] == settled["budget"] and settled["forfeited"] > 0
        assert client.balance(ESCROW_ACCOUNT) == 0

    code, output = gonka("train", "status", str(task_id), "--json")
    assert code == 0 and json.loads(output)["status"] == "SETTLED"
