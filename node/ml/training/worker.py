"""The DiLoCo worker process the ML node launches: `python -m node.ml.training.worker CONFIG.json`.

It trains its data shard with the inner optimizer, syncs through torchft every H steps, stores
snapshots in its artifact folder, and reports progress and commitments in its event log
(events.py). It runs until the task's last outer step is committed by the quorum.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.ml.training.adversary import make_policy
from node.ml.training.data import eval_batch, load_tokens, shard_batch
from node.ml.training.diloco import ReplicaConfig, diloco_replica, outer_optimizer
from node.ml.training.events import EventLog
from node.ml.training.model import build_model
from node.ml.training.rounds import RoundRecorder, run_round
from node.ml.training.snapshots import ArtifactStore, params_hash
from node.ml.training.spec import TrainSpec
from node.ml.training.steps import evaluate, inner_optimizer, set_determinism

EVAL_BATCH = 32


@dataclass(frozen=True)
class WorkerConfig:
    task_id: int
    spec: dict[str, Any]
    shard: int
    num_shards: int
    replica_id: str
    lighthouse_url: str
    artifacts: str  # folder of content-addressed snapshots (served to validators)
    events: str  # the event log file
    adversary: str = ""  # "" honest, or "lazy-trainer[:skip|noise|stale]"
    threads: int = 1
    timeout_s: float = 30.0

    @classmethod
    def load(cls, path: Path) -> WorkerConfig:
        return cls(**json.loads(path.read_text()))


def train(config: WorkerConfig) -> None:
    set_determinism(config.threads)
    spec = TrainSpec.from_mapping(config.spec)
    events = EventLog(Path(config.events))
    events.write("started", pid=os.getpid(), shard=config.shard, replica_id=config.replica_id)
    model = build_model(spec.model, spec.seed)
    inner = inner_optimizer(model, spec.inner_lr)
    tokens = load_tokens(spec.dataset)
    policy = make_policy(config.adversary, seed=config.shard)
    recorder = RoundRecorder(model, inner, ArtifactStore(Path(config.artifacts)), spec.inner_steps,
                             spec.segment_steps, policy)
    inner.register_step_post_hook(recorder)  # before DiLoCo's hooks: it must see the pre-sync state
    replica = ReplicaConfig(config.replica_id, config.lighthouse_url, timeout_s=config.timeout_s)
    with diloco_replica(model, inner, outer_optimizer(model), spec.inner_steps, replica) as ft:
        manager = ft.manager
        while (step := manager.current_step()) < spec.outer_steps:

            def batch_of(inner_step: int, step: int = step) -> Any:
                return shard_batch(tokens, config.shard, config.num_shards, spec.seed, step, inner_step,
                                   spec.batch_size, spec.seq_len)

            def beat(inner_step: int, step: int = step) -> None:
                events.write("heartbeat", outer_step=step, inner_step=inner_step)

            commitment = run_round(recorder, step, batch_of, beat)
            now = manager.current_step()
            if now == step:  # the quorum did not commit: DiLoCo restored the weights; redo the step
                events.write("retry", outer_step=step)
            elif now != step + 1 or not manager.is_participating():
                # We were behind: torchft replaced our state with a live peer's, and we sent zeros.
                events.write("healed", outer_step=step, now=now)
            else:
                events.write("commit", commitment=commitment.to_chain(config.task_id),
                             participants=manager.num_participants(), allreduce_bytes=ft.allreduce_bytes)
        final_loss = evaluate(model, eval_batch(tokens, EVAL_BATCH, spec.seq_len))
        events.write("done", outer_step=manager.current_step(), final_params_hash=params_hash(model),
                     eval_loss=final_loss, allreduce_bytes=ft.allreduce_bytes)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m node.ml.training.worker CONFIG.json")
    config = WorkerConfig.load(Path(args[0]))
    try:
        train(config)
    except Exception as error:  # reported once, in the log and on stderr, not as a traceback
        EventLog(Path(config.events)).write("error", message=f"{type(error).__name__}: {error}")
        print(f"Error: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        os._exit(1)
    sys.stdout.flush()
    os._exit(0)  # torchft's server threads would otherwise hold the process open


if __name__ == "__main__":
    main()
