"""`gonka train start|status|stop`: DiLoCo training tasks on chain.

    gonka train start --spec task.toml --from alice          # or the same fields as flags
    gonka train status 3
    gonka train stop 3 --from alice

A spec file (TOML or JSON) holds the task's fields (model, dataset, inner_steps, outer_steps,
min_workers, max_workers, batch_size, seq_len, seed, inner_lr, segment_steps) and `budget` in
ngonka; flags override it. The chain checks the spec and answers a bad one with its reason.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import click
from google.protobuf.message import Message

from gonka_lab.commands._common import Env, chain_client, node_option, report_tx, user_command
from gonka_lab.home import Keyring
from node.chain.client import ChainClient
from node.core.keys import AccountKey
from node.core.tx import build_tx, register_message
from node.proto.gonka.training_tasks_pb2 import MsgCreateTrainingTask, MsgStopTrainingTask, TaskSpec

for _message in (MsgCreateTrainingTask, MsgStopTrainingTask):
    register_message(_message)  # build_tx signs registered message types only

DEFAULTS: dict[str, Any] = {
    "model": "tiny-llama",
    "dataset": "kjv-pentateuch",
    "inner_steps": 10,
    "outer_steps": 10,
    "min_workers": 1,
    "max_workers": 3,
    "batch_size": 8,
    "seq_len": 64,
    "seed": 0,
    "inner_lr": 1e-3,
    "segment_steps": 5,
}


def broadcast_messages(client: ChainClient, key: AccountKey, *messages: Message, wait: bool = True,
                       timeout_s: float = 10.0) -> dict[str, Any]:
    """Sign `messages` as one tx with the account's committed number and sequence, and send it."""
    account = client.query("account", address=key.address)
    chain_id = client.status()["chain_id"]
    raw = build_tx(key, chain_id, int(account["account_number"]), int(account["sequence"]), list(messages))
    return client.broadcast_tx(raw, wait=wait, timeout_s=timeout_s)


def read_spec_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
        values = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not valid {'TOML' if path.suffix == '.toml' else 'JSON'}: {error}") from None
    if not isinstance(values, dict):
        raise ValueError(f"{path} must hold an object of spec fields")
    return values


def build_spec(values: dict[str, Any]) -> tuple[TaskSpec, int]:
    """(TaskSpec, budget) from spec fields; unknown or mistyped fields are errors."""
    fields = dict(DEFAULTS) | values
    budget = fields.pop("budget", None)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget <= 0:
        raise ValueError(f"budget must be a positive number of ngonka (--budget or `budget` in the spec), "
                         f"got {budget!r}")
    lr = fields.pop("inner_lr")
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not 0 < lr < 1:
        raise ValueError(f"inner_lr must be a number in (0, 1), got {lr!r}")
    unknown = set(fields) - set(TaskSpec.DESCRIPTOR.fields_by_name)
    if unknown:
        raise ValueError(f"unknown spec fields {sorted(unknown)}; known: {sorted(DEFAULTS)} and budget")
    for name, value in fields.items():
        expected = str if name in ("model", "dataset") else int
        if isinstance(value, bool) or not isinstance(value, expected) or (expected is int and value < 0):
            raise ValueError(f"spec field {name!r} must be a {'string' if expected is str else 'non-negative integer'}")
    return TaskSpec(**fields, inner_lr_micro=round(lr * 1_000_000)), budget


def created_task_id(result: dict[str, Any]) -> int:
    """The task id a committed MsgCreateTrainingTask's result announces."""
    created = next(e for e in result["events"] if e["type"] == "training_task_created")
    return int(next(a["value"] for a in created["attributes"] if a["key"] == "task_id"))


@click.group()
def group() -> None:
    """DiLoCo training tasks: create and fund, follow, stop."""


@group.command()
@click.option("--spec", "spec_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A TOML or JSON file with the task's fields and budget.")
@click.option("--from", "key_name", required=True, help="Keyring key of the developer who pays.")
@click.option("--budget", type=click.IntRange(min=1), help="ngonka held in escrow for the workers.")
@click.option("--model")
@click.option("--dataset")
@click.option("--inner-steps", type=click.IntRange(min=0), help="H: inner steps per outer step.")
@click.option("--outer-steps", type=click.IntRange(min=0))
@click.option("--min-workers", type=click.IntRange(min=0))
@click.option("--max-workers", type=click.IntRange(min=0))
@click.option("--batch-size", type=click.IntRange(min=0))
@click.option("--seq-len", type=click.IntRange(min=0))
@click.option("--seed", type=click.IntRange(min=0))
@click.option("--inner-lr", type=float)
@click.option("--segment-steps", type=click.IntRange(min=0), help="Validators re-execute segments this long.")
@node_option
@user_command
def start(env: Env, spec_file: Path | None, key_name: str, node: str | None, **flags: Any) -> None:
    """Create a training task and move its budget into escrow."""
    values = read_spec_file(spec_file) if spec_file else {}
    values |= {name: value for name, value in flags.items() if value is not None}
    spec, budget = build_spec(values)
    key = Keyring(env.home).key(key_name)
    with chain_client(env, node) as client:
        result = broadcast_messages(client, key, MsgCreateTrainingTask(creator=key.address, spec=spec, budget=budget))
        if result["check_code"] != 0 or not result["committed"] or result["code"]:
            report_tx(env, result, True, 10.0)  # exits with the chain's reason
        task = client.query("training_task", task_id=created_task_id(result))
    env.emit(
        {"task_id": task["id"], "tx": result["hash"], "height": result["height"], "status": task["status"],
         "budget": task["budget"], "payment_per_step": task["payment_per_step"], "assignees": task["assignees"]},
        lambda console: console.print(
            f"training task {task['id']} created in block {result['height']}: {task['status']}, "
            f"budget {task['budget']} ngonka in escrow, assigned to {len(task['assignees'])} hosts"
        ),
    )


def _show(console: Any, task: dict[str, Any]) -> None:
    spec = task["spec"]
    console.print(
        f"task {task['id']} [{task['status']}] {spec['model']} on {spec['dataset']}: "
        f"H={spec['inner_steps']} T={spec['outer_steps']}, escrow {task['escrow']} of {task['budget']} ngonka, "
        f"paid {task['paid']}, refunded {task['refunded']}"
    )
    for worker in task["workers"]:
        console.print(
            f"  {worker['address']} {worker['status']}: outer step {worker['outer_step']}, "
            f"{worker['committed_steps']} committed, paid {worker['paid']}"
        )


@group.command()
@click.argument("task_id", type=click.IntRange(min=1))
@node_option
@user_command
def status(env: Env, task_id: int, node: str | None) -> None:
    """A task: its status, escrow, payouts and workers."""
    with chain_client(env, node) as client:
        task = client.query("training_task", task_id=task_id)
    env.emit(task, lambda console: _show(console, task))


@group.command()
@click.argument("task_id", type=click.IntRange(min=1))
@click.option("--from", "key_name", required=True, help="Keyring key of the task's creator.")
@node_option
@user_command
def stop(env: Env, task_id: int, key_name: str, node: str | None) -> None:
    """Stop a task: refunded if training has not started, otherwise validated and settled."""
    key = Keyring(env.home).key(key_name)
    with chain_client(env, node) as client:
        result = broadcast_messages(client, key, MsgStopTrainingTask(creator=key.address, task_id=task_id))
    report_tx(env, result, True, 10.0)
