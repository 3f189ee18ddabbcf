"""Identical blocks give identical app hashes in separate processes: one process decides an economy
workload (seeds, PoC, fraud, settlement, claims, collateral, inference), another replays its stored
blocks; different hash seeds shake any dependence on dict or set order."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(mode: str, directory: Path, hash_seed: str) -> dict[str, list[str]]:
    env = os.environ | {"PYTHONHASHSEED": hash_seed, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    done = subprocess.run(
        [sys.executable, "-m", "unit.app.economy_workload", mode, str(directory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_two_processes_compute_the_same_app_hashes(tmp_path: Path) -> None:
    recorded = run("record", tmp_path, "1")
    replayed = run("replay", tmp_path, "2")
    assert len(recorded["app_hashes"]) > 70
    assert replayed["app_hashes"] == recorded["app_hashes"]
    assert len(set(recorded["app_hashes"])) == len(recorded["app_hashes"])
    exercised = {
        *("seed_submitted", "poc_batch", "poc_validation", "weights_computed", "epoch_group_formed"),
        *("validators_switched", "settlement", "rewards_claimed", "mint", "burn", "slashed", "forfeited"),
        *("cheater_marked", "collateral_deposited", "collateral_withdrawn", "inference_finished"),
    }
    assert exercised <= set(recorded["events"]), exercised - set(recorded["events"])
