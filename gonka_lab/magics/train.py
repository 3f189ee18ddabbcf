"""`%gonka train start|status|stop`: DiLoCo training tasks, with a live loss plot per worker.

The task's spec comes from a file (TOML or JSON, `--spec`) and/or flags, checked exactly as
`gonka train start` checks them (gonka_lab/commands/train.py); the chain refuses a bad one with
its reason. The view follows the chain: every worker's committed losses (one point per inner
step, a marker at each outer step) and the workers' status, commits and pay.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from gonka_lab.commands.train import broadcast_messages, build_spec, created_task_id, read_spec_file
from gonka_lab.home import HomeError
from gonka_lab.magics.args import live_args
from gonka_lab.magics.session import Session
from gonka_lab.training_events import final_event
from gonka_lab.widgets import Refresher, TrainingView
from gonka_lab.widgets.training import LOSS_COLUMNS, loss_frame
from node.chain.client import ChainError
from node.proto.gonka.training_tasks_pb2 import MsgCreateTrainingTask, MsgStopTrainingTask

FINAL = ("SETTLED", "CANCELLED")
WORKER_COLUMNS = ["worker", "status", "outer_step", "committed_steps", "paid", "address"]
OUTCOME_COLUMNS = ["worker", "eval_loss", "final_params_hash", "outer_step", "address"]
SPEC_FLAGS = ("model", "dataset", "inner_steps", "outer_steps", "min_workers", "max_workers", "batch_size",
              "seq_len", "seed", "inner_lr", "segment_steps", "budget")


@dataclass
class TrainingRun:
    """A task as last read from the chain; `losses` and `workers` are what the view shows."""

    session: Session
    task_id: int
    task: dict[str, Any] = field(default_factory=dict)
    losses: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LOSS_COLUMNS))
    workers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WORKER_COLUMNS))
    view: TrainingView | None = None
    refresher: Refresher | None = None

    @property
    def status(self) -> str:
        return str(self.task.get("status", ""))

    def refresh(self) -> bool:
        """Read the task and its commitments again; True once it is settled or cancelled."""
        names = _names(self.session)
        with self.session.chain() as client:
            self.task = client.query("training_task", task_id=self.task_id)
            commitments = client.query("training_commitments", task_id=self.task_id)["commitments"]
        self.losses = loss_frame(commitments, int(self.task["spec"]["inner_steps"]), names)
        self.workers = pd.DataFrame(
            [[names.get(w["address"], ""), w["status"], w["outer_step"], w["committed_steps"], w["paid"], w["address"]]
             for w in self.task["workers"]], columns=WORKER_COLUMNS)
        if self.view is not None:
            self.view.update(self.task, self.losses, self.workers)
        return self.status in FINAL

    def wait(self, timeout_s: float = 600.0, statuses: tuple[str, ...] = FINAL) -> str:
        """Block until the task's status is one of `statuses` or `timeout_s` passed; the status."""
        deadline = time.monotonic() + timeout_s
        while self.status not in statuses and time.monotonic() < deadline:
            if self.refresher is not None and self.refresher.running:
                self.refresher.join(1.0)  # the live view refreshes; look at what it read
            else:
                self.refresh()
                time.sleep(1.0)  # polling the chain, bounded by the deadline
        return self.status

    def outcomes(self) -> pd.DataFrame:
        """What each worker ended with (its `done` event): held-out loss and final weights' hash.

        Read where validators read a worker's work: its api node publishes its ML node's address
        for the task, and the ML node streams the worker's event log. Workers that never ended
        training (dropped, stopped) have no row.
        """
        names = _names(self.session)
        with self.session.chain() as client:
            done = {w["address"]: final_event(client, w["address"], self.task_id) for w in self.task["workers"]}
        rows = [[names.get(address, ""), event["eval_loss"], event["final_params_hash"], event["outer_step"], address]
                for address, event in done.items() if event is not None]
        return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)

    def stop(self) -> None:
        """Stop the live view (the task goes on)."""
        if self.refresher is not None:
            self.refresher.stop()

    def __repr__(self) -> str:
        return f"<training task {self.task_id} {self.status}: {len(self.losses)} losses committed>"


def _names(session: Session) -> dict[str, str]:
    if not session.has_devnet():
        return {}
    return {p.address: p.name for p in session.devnet().manifest.participants}


def _key(session: Session, name: str | None) -> Any:
    name = name or session.account
    if name is None:
        raise HomeError("no account: pass --from NAME (a keyring key) or create one with `%gonka account create`")
    return session.keyring.key(name)


def _create(session: Session, args: argparse.Namespace) -> int:
    values = read_spec_file(args.spec) if args.spec else {}
    values |= {name: getattr(args, name) for name in SPEC_FLAGS if getattr(args, name) is not None}
    spec, budget = build_spec(values)
    key = _key(session, args.key_name)
    with session.chain() as client:
        result = broadcast_messages(client, key, MsgCreateTrainingTask(creator=key.address, spec=spec, budget=budget))
    if result["check_code"] != 0 or not result["committed"] or result["code"]:
        raise ChainError(f"the chain refused the task: {result.get('check_log') or result.get('log')}")
    return created_task_id(result)


def _stop(session: Session, args: argparse.Namespace) -> None:
    key = _key(session, args.key_name)
    with session.chain() as client:
        result = broadcast_messages(client, key, MsgStopTrainingTask(creator=key.address, task_id=args.task_id))
    if result["check_code"] != 0 or not result["committed"] or result["code"]:
        raise ChainError(f"the chain refused to stop task {args.task_id}: "
                         f"{result.get('check_log') or result.get('log')}")


@magic_arguments()
@argument("action", choices=("start", "status", "stop"))
@argument("task_id", nargs="?", type=int, help="The task (status, stop).")
@argument("--spec", type=Path, default=None, help="A TOML or JSON file with the task's fields and budget (start).")
@argument("--from", dest="key_name", default=None, help="Keyring key that pays or stops (default: the session's).")
@argument("--budget", type=int, default=None, help="ngonka held in escrow for the workers.")
@argument("--model", default=None)
@argument("--dataset", default=None)
@argument("--inner-steps", type=int, default=None, help="H: inner steps per outer step.")
@argument("--outer-steps", type=int, default=None)
@argument("--min-workers", type=int, default=None)
@argument("--max-workers", type=int, default=None)
@argument("--batch-size", type=int, default=None)
@argument("--seq-len", type=int, default=None)
@argument("--seed", type=int, default=None)
@argument("--inner-lr", type=float, default=None)
@argument("--segment-steps", type=int, default=None, help="Validators re-execute segments this long.")
@live_args
def train(session: Session, args: argparse.Namespace, cell: str | None) -> TrainingRun:
    """DiLoCo training: create and fund a task, follow it live (loss per worker, outer-step
    markers, workers' status and pay), or stop it.

    Examples::

        run = %gonka train start --spec task.toml --from alice --watch 600
        run = %gonka train start --from alice --budget 4000000000 --outer-steps 20 --watch 600
        run.wait()          # until SETTLED; run.losses, run.workers, run.task
        %gonka train status 1
        %gonka train stop 1 --from alice
    """
    if args.action == "start":
        if args.task_id is not None:
            raise HomeError("train start takes no task id: the chain assigns one")
        task_id = _create(session, args)
    elif args.task_id is None:
        raise HomeError(f"train {args.action} needs a task id")
    else:
        task_id = args.task_id
        if args.action == "stop":
            _stop(session, args)
    run = TrainingRun(session, task_id, view=TrainingView(task_id))
    run.refresh()
    assert run.view is not None
    display(run.view.widget)
    if args.watch > 0 and run.status not in FINAL:
        run.refresher = Refresher(run.refresh, args.every, args.watch).start()
    return run
