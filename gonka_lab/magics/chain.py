"""`%gonka status`, `%gonka epoch` and `%gonka sprint`: live views of the chain's participants,
epoch stages and PoW sprints."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Any

import grpc
import pandas as pd
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from gonka_lab.magics.args import live_args, timeout_args
from gonka_lab.magics.session import Session
from gonka_lab.widgets import EpochTimeline, FrameView, Refresher, SprintView
from node.ml.client import to_dict
from node.proto.gonka import ml_pb2, ml_pb2_grpc

STATUS_COLUMNS = ["name", "weight", "voting_power", "reputation", "status", "phase", "epoch", "height", "address"]
POLL_S = 0.5  # sprint refresh period: a devnet's PoC generation lasts only a few blocks
_ML_TIMEOUT_S = 2.0


@dataclass
class StatusView:
    frame: pd.DataFrame
    view: FrameView
    refresher: Refresher | None = None

    def stop(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()

    def __repr__(self) -> str:
        return f"<participants: {len(self.frame)} hosts at height {self.frame['height'].max() if len(self.frame) else '-'}>"


def participants_frame(session: Session) -> pd.DataFrame:
    """One row per host: weight, power, reputation, status, phase and the chain's height."""
    with session.chain() as client:
        height = client.status()["height"]
        if session.has_devnet():
            rows = session.devnet().participants_status()
        else:  # a remote network: no names known
            epoch = client.query("epoch")
            rows = [host | {"name": "", "epoch": epoch["epoch_index"], "phase": epoch["phase"]}
                    for host in client.query("participants")["participants"] if host["kind"] == "PARTICIPANT_KIND_HOST"]
    frame = pd.DataFrame(rows, columns=[c for c in STATUS_COLUMNS if c != "height"])
    frame["height"] = height
    return frame[STATUS_COLUMNS]


@magic_arguments()
@live_args
def status(session: Session, args: argparse.Namespace, cell: str | None) -> StatusView:
    """A live table of the participants: weight, voting power, reputation, status, phase, height.

    Examples::

        %gonka status
        view = %gonka status --watch 60      # refreshes every 2 s for a minute
        view.frame                           # the latest rows as a DataFrame
    """
    frame = participants_frame(session)
    result = StatusView(frame, FrameView("participants", frame))
    display(result.view.widget)
    if args.watch > 0:
        def refresh() -> None:
            result.frame = participants_frame(session)
            result.view.update(result.frame, f"(height {result.frame['height'].max()}, live)")
        result.refresher = Refresher(refresh, args.every, args.watch).start()
    return result


@dataclass
class EpochView:
    epoch: dict[str, Any]
    timeline: EpochTimeline
    refresher: Refresher | None = None

    def __repr__(self) -> str:
        return f"<epoch {self.epoch['epoch_index']} {self.epoch['phase']} at block {self.epoch['height']}>"


@magic_arguments()
@live_args
def epoch(session: Session, args: argparse.Namespace, cell: str | None) -> EpochView:
    """The current epoch's stage timeline (PoC generate, validate, claims, inference) with the current block.

    Examples::

        %gonka epoch
        e = %gonka epoch --watch 120
        e.epoch["stages"]["next_poc_start"]
    """
    with session.chain() as client:
        current = client.query("epoch")
    result = EpochView(current, EpochTimeline(current))
    display(result.timeline.widget)
    if args.watch > 0:
        def refresh() -> None:
            with session.chain() as client:
                result.epoch = client.query("epoch")
            result.timeline.update(result.epoch)
        result.refresher = Refresher(refresh, args.every, args.watch).start()
    return result


@dataclass
class SprintResult:
    epoch_index: int
    poc_start_height: int
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)  # name, nonces_tried, valid_nonces
    weights: pd.DataFrame = field(default_factory=pd.DataFrame)
    updates: list[tuple[int, pd.DataFrame]] = field(default_factory=list)  # (block, progress) as shown live

    def __repr__(self) -> str:
        return f"<sprint of epoch {self.epoch_index}: {int(self.progress['valid_nonces'].sum())} valid nonces>"


def _pow_tried(url: str) -> int | None:
    try:
        with grpc.insecure_channel(url) as channel:
            answer = ml_pb2_grpc.MlNodeStub(channel).PowStatus(ml_pb2.PowStatusRequest(), timeout=_ML_TIMEOUT_S)
    except grpc.RpcError:
        return None
    return int(to_dict(answer)["nonces_tried"])


class _SprintWatch:
    """Per participant: the most nonces its ML node reported tried, and the valid nonces on chain."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.names = {p.address: p.name for p in session.devnet().manifest.participants} if session.has_devnet() else {}
        self.tried: dict[str, int] = {}

    def progress(self, poc_start: int) -> pd.DataFrame:
        if self.session.has_devnet():
            net = self.session.devnet()
            for node in net.manifest.nodes_of("ml"):
                tried = _pow_tried(node.url)  # the ML node resets its counter when validation starts
                if tried is not None:
                    self.tried[node.participant] = max(tried, self.tried.get(node.participant, 0))
        with self.session.chain() as client:
            batches = client.query("poc_batches", poc_start_height=poc_start)["batches"]
        valid: dict[str, int] = {}
        for batch in batches:
            name = self.names.get(batch["participant"], batch["participant"])
            valid[name] = valid.get(name, 0) + int(batch["nonce_count"])
        names = sorted(set(self.names.values()) | set(valid))
        return pd.DataFrame({"name": names, "nonces_tried": [self.tried.get(n, 0) for n in names],
                             "valid_nonces": [valid.get(n, 0) for n in names]})


class _Pace:
    """The chain's seconds per block as seen since the sprint began, to turn blocks left into time."""

    def __init__(self, height: int) -> None:
        self._start = (time.monotonic(), height)

    def seconds(self, height: int, blocks: int) -> str:
        started, first = self._start
        if height <= first or blocks == 0:
            return ""
        return f" (~{blocks * (time.monotonic() - started) / (height - first):.0f} s)"


def _wait(session: Session, view: SprintView, until: Any, what: str, deadline: float) -> dict[str, Any]:
    while True:
        with session.chain() as client:
            current = client.query("epoch")
        if until(current):
            return current
        if time.monotonic() > deadline:
            raise TimeoutError(f"sprint: no {what} before the timeout (block {current['height']}, {current['phase']})")
        view.header.value = f"<b>sprint</b> block {current['height']}: waiting for {what} " \
                            f"(next PoC at {current['next_poc_start_height']})"
        time.sleep(POLL_S)  # polling the chain's clock, bounded by the deadline


@magic_arguments()
@timeout_args(180.0)
def sprint(session: Session, args: argparse.Namespace, cell: str | None) -> SprintResult:
    """Watch the next PoW sprint: per participant nonces tried, valid nonces on chain and blocks
    (and seconds) of generation left; then the weights it earned. Waits for the next PoC stage if
    none runs.

    Examples::

        s = %gonka sprint
        s.progress        # name, nonces_tried, valid_nonces
        s.updates         # [(block, progress), …] as the live view showed them
        s.weights         # the participants table once the new weights apply
    """
    deadline = time.monotonic() + args.timeout
    watch = _SprintWatch(session)
    view = SprintView(sorted(set(watch.names.values())))
    display(view.widget)
    current = _wait(session, view, lambda e: e["phase"] == "PoCGenerate", "a PoC generation stage", deadline)
    stages = current["stages"]
    result = SprintResult(current["epoch_index"], int(stages["poc_start"]))
    pace = _Pace(current["height"])
    while current["height"] < int(stages["set_new_validators"]):
        result.progress = watch.progress(result.poc_start_height)
        result.updates.append((current["height"], result.progress))
        left = max(0, int(stages["poc_generation_end"]) - int(current["height"]))
        view.update(result.progress, f"epoch {result.epoch_index}, block {current['height']}: "
                                     f"{left} block(s){pace.seconds(current['height'], left)} of generation left, "
                                     f"{current['phase']}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"sprint: weights not set before the timeout (block {current['height']})")
        time.sleep(POLL_S)  # polling the ML nodes and the chain, bounded by the deadline
        with session.chain() as client:
            current = client.query("epoch")
    result.progress = watch.progress(result.poc_start_height)
    view.update(result.progress, "")
    result.weights = participants_frame(session)[["name", "weight", "voting_power", "status", "address"]]
    view.finish(result.weights)
    return result


