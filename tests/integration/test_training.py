"""A DiLoCo training task end to end on a full 4-host devnet: the api nodes do all the work.

The developer creates and funds the task with `gonka train start`; bad specs are refused with the
chain's reason and cost nothing. From there on the test only watches: each assigned host's api
node starts its worker on its ML node (the first assignee's api node runs the lighthouse),
relays the worker's events as join, heartbeat and commit transactions, and once training ends
re-executes the other workers' segments on its ML node and votes. p4 runs with
`--adversary p4=lazy-trainer`. One honest worker is SIGKILLed mid-run: the others go on, its
api node starts it again, it re-joins, heals from them and ends with identical weights. Then
honest workers are verified and paid, the lazy one is caught and unpaid, and the escrow
closes at zero with the rest refunded.

The epoch is stretched (first PoC after ~16 minutes) so no sprint falls inside the run: a host
whose ML node trains skips the sprint (node/api/poc.py), which would cost it its weight.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from click.testing import CliRunner

from gonka_lab.cli import main
from node.chain.app.training.state import ESCROW_ACCOUNT
from node.core.keys import AccountKey
from node.devnet.genesis import GNK
from node.devnet.kinds import probe_ml
from node.devnet.network import Devnet
from node.devnet.supervisor import wait_for
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

LAZY = "p4"
SPEC = {
    "model": "tiny-llama",
    "dataset": "kjv-pentateuch",
    "inner_steps": 10,
    "outer_steps": 60,  # about a minute of training: a restarted worker is back (~20 s on a busy machine) in time
    "min_workers": 3,
    "max_workers": 4,
    "batch_size": 8,
    "seq_len": 64,
    "seed": 11,
    "inner_lr": 0.001,
    "segment_steps": 5,
    "budget": 12 * GNK,  # 4 workers x 60 steps: 0.05 GNK per verified worker-step
}
# No PoC during the run: the first one comes epoch_length - epoch_shift blocks after genesis.
LONG_EPOCH = {"epoch": {"epoch_length": 1000, "epoch_shift": 20}}
START_TIMEOUT_S = 300.0
TRAIN_TIMEOUT_S = 480.0
SETTLE_TIMEOUT_S = 240.0


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    network = Devnet.up(tmp_path_factory.mktemp("training") / "net", participants=4, only="all",
                        adversaries={LAZY: "lazy-trainer"}, params_overrides=LONG_EPOCH, timeout_s=START_TIMEOUT_S)
    try:
        yield network
    finally:
        network.down()


@pytest.fixture
def gonka(net: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`gonka ...` in process against this network, with a fresh $GONKA_HOME."""
    monkeypatch.setenv("GONKA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GONKA_DEVNET_DIR", str(net.dir))

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args))
        return result.exit_code, result.output

    return run


def ml_stub(net: Devnet, participant: str) -> pb_grpc.TrainingStub:
    return pb_grpc.TrainingStub(grpc.insecure_channel(net.node(f"{participant}-ml").url))


def worker_events(net: Devnet, participant: str, task_id: int) -> list[dict[str, Any]]:
    """The worker's whole event log (the stream ends because the worker has ended)."""
    request = pb.StreamTrainingEventsRequest(task_id=task_id)
    return [json.loads(item.json) for item in ml_stub(net, participant).StreamTrainingEvents(request, timeout=30)]


def outline(events: list[dict[str, Any]]) -> str:
    """A worker's log in one line: commits as c<step>, other events by name, heartbeats left out."""
    return " ".join(f"c{e['commitment']['outer_step']}" if e["event"] == "commit" else
                    f"{e['event']}@{e.get('outer_step', '')}" for e in events if e["event"] != "heartbeat")


def worker_log_tail(net: Devnet, participant: str, task_id: int, lines: int = 40) -> str:
    log = net.dir / participant / "ml" / "training" / "tasks" / str(task_id) / "worker.log"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else f"no {log}"


def write_spec(path: Path, **changes: Any) -> str:
    path.write_text(json.dumps(SPEC | changes))
    return str(path)


def test_api_nodes_run_a_diloco_task_with_a_killed_worker_and_a_lazy_one(net: Devnet, gonka: Any,
                                                                          tmp_path: Path) -> None:
    developer = AccountKey.generate()
    assert net.fund(developer.address, 20 * GNK, wait=True)["code"] == 0
    assert gonka("keys", "add", "dev", "--recover", developer.private_hex)[0] == 0
    client = net.client()

    # Bad specs are refused with the chain's reason and cost nothing.
    for changes, reason in (
        ({"model": "gpt-9"}, "unknown model 'gpt-9'"),
        ({"budget": 1000}, "budget too small"),
        ({"inner_steps": 5000}, "inner_steps (H) must be in [2, 1000]"),
    ):
        code, output = gonka("train", "start", "--spec", write_spec(tmp_path / "bad.json", **changes), "--from", "dev")
        assert code == 1 and reason in output, output
    assert client.balance(developer.address) == 20 * GNK

    code, output = gonka("train", "start", "--spec", write_spec(tmp_path / "task.json"), "--from", "dev", "--json")
    assert code == 0, output
    created = json.loads(output)
    assert created["status"] == "OPEN" and len(created["assignees"]) == 4
    task_id = created["task_id"]
    names = {p.address: p.name for p in net.manifest.participants}
    addresses = {name: address for address, name in names.items()}
    workers = [names[address] for address in created["assignees"]]  # in shard order
    victim = next(name for name in workers if name != LAZY)

    def task() -> dict[str, Any]:
        return client.query("training_task", task_id=task_id)

    def committed(name: str) -> set[int]:
        address = addresses[name]
        return {c["outer_step"] for c in client.query("training_commitments", task_id=task_id,
                                                      worker=address)["commitments"]}

    # Kill an honest worker once two of its steps are on chain; its api node starts it again.
    assert wait_for(lambda: len(committed(victim)) >= 2, TRAIN_TIMEOUT_S, 0.5), task()
    assert task()["status"] == "TRAINING"
    victim_ml = ml_stub(net, victim)
    status = victim_ml.GetTrainingStatus(pb.TrainingStatusRequest(task_id=task_id))
    assert status.state == "RUNNING"
    os.kill(status.pid, signal.SIGKILL)
    assert wait_for(lambda: victim_ml.GetTrainingStatus(pb.TrainingStatusRequest(task_id=task_id)).pid
                    not in (0, status.pid), 60, 0.2), "the api node did not restart the killed worker"

    assert wait_for(lambda: task()["status"] in ("VALIDATING", "SETTLED"), TRAIN_TIMEOUT_S, 1.0), task()
    finals = set()
    for name in workers:
        events = worker_events(net, name, task_id)
        assert not [e for e in events if e["event"] == "error"], (name, events[-3:])
        finals |= {e["final_params_hash"] for e in events if e["event"] == "done"}
        if name == victim:
            assert sum(e["event"] == "started" for e in events) == 2
            assert any(e["event"] == "healed" for e in events), (
                "the restarted worker healed from the others", outline(events), worker_log_tail(net, name, task_id))
    assert len(finals) == 1, "every worker, the restarted one included, ends with the same weights"
    missed = set(range(SPEC["outer_steps"])) - committed(victim)
    assert missed and max(committed(victim)) == SPEC["outer_steps"] - 1, "away for some steps, back for the last"
    # A round the victim died in can fail for everybody; every round it missed was still committed.
    by_others = set().union(*(committed(name) for name in workers if name != victim))
    assert missed <= by_others, "the others trained on while the victim was away"
    joins = {w["address"]: int(w["joins"]) for w in task()["workers"]}
    assert joins[addresses[victim]] >= 2, "the restarted worker re-joined on chain"

    # Every other host re-executes each worker's segments and votes; the chain settles.
    assert wait_for(lambda: task()["status"] == "SETTLED", SETTLE_TIMEOUT_S, 1.0), task()
    settled = task()
    per_step = int(settled["payment_per_step"])
    for record in settled["workers"]:
        expected = ("CAUGHT", 0) if names[record["address"]] == LAZY else (
            "VERIFIED", per_step * int(record["committed_steps"]))
        assert (record["status"], int(record["paid"])) == expected, record
    caught = [v for v in settled["validations"] if names[v["worker"]] == LAZY]
    assert caught and not any(v["passed"] for v in caught)
    assert int(settled["escrow"]) == 0 and client.balance(developer.address) == 20 * GNK - int(settled["paid"])
    assert int(settled["paid"]) + int(settled["refunded"]) == int(settled["budget"]) and int(settled["forfeited"]) > 0
    assert client.balance(ESCROW_ACCOUNT) == 0

    code, output = gonka("train", "status", str(task_id), "--json")
    assert code == 0 and json.loads(output)["status"] == "SETTLED"
    # Training over, every ML node serves inference again.
    for name in workers:
        ml = net.node(f"{name}-ml").url
        assert wait_for(lambda ml=ml: (probe_ml(ml) or {}).get("state") == "INFERENCE", 30, 0.5), name
