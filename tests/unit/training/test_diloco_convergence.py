"""Three torchft DiLoCo workers (real processes, a real lighthouse, gloo on 127.0.0.1) end within
5 % of the single-process baseline trained on the same total tokens, all with the same weights."""

from pathlib import Path

import pytest

from node.ml.training.baseline import train_baseline
from node.ml.training.events import read_events
from node.ml.training.launch import launch_worker
from node.ml.training.lighthouse import start_lighthouse
from node.ml.training.spec import TrainSpec
from node.ml.training.steps import set_determinism
from node.ml.training.worker import WorkerConfig

WORKERS = 3
SPEC = TrainSpec(inner_steps=10, outer_steps=10, max_workers=WORKERS, batch_size=8, seq_len=64, seed=0,
                 inner_lr_micro=1000, segment_steps=5)


@pytest.mark.slow
def test_three_diloco_workers_match_the_single_process_baseline(tmp_path: Path) -> None:
    lighthouse, url = start_lighthouse(WORKERS, tmp_path / "lighthouse.log")
    try:
        workers = [
            launch_worker(
                WorkerConfig(1, SPEC.to_dict(), shard, WORKERS, f"w{shard}", url,
                             str(tmp_path / f"w{shard}" / "artifacts"), str(tmp_path / f"w{shard}" / "events.jsonl")),
                tmp_path / f"w{shard}",
            )
            for shard in range(WORKERS)
        ]
        codes = [worker.wait(timeout=240) for worker in workers]
    finally:
        lighthouse.terminate()
        lighthouse.wait(timeout=10)
    assert codes == [0] * WORKERS, [(tmp_path / f"w{i}" / "worker.log").read_text()[-2000:] for i in range(WORKERS)]
    done = [next(e for e in read_events(tmp_path / f"w{i}" / "events.jsonl")[0] if e["event"] == "done")
            for i in range(WORKERS)]
    assert len({d["final_params_hash"] for d in done}) == 1
    set_determinism(1)
    baseline = train_baseline(SPEC, WORKERS)
    diloco = done[0]["eval_loss"]
    assert diloco < 2.5, "training did not learn"  # an untrained byte model is at ln(256) = 5.5
    assert abs(diloco / baseline - 1) <= 0.05, (diloco, baseline)
