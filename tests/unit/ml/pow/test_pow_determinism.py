"""Bit-identical distances in separate processes, with 1 and 2 torch threads."""

import json
import subprocess
import sys

import torch

from node.ml.pow.engine import PowEngine

from .conftest import BLOCK_HASH, GOLDEN, PUBLIC_KEY

_SCRIPT = """
import json, sys
import torch
from node.ml.pow.engine import PowEngine
from node.ml.pow.params import PowParams
block_hash, public_key, threads, nonces = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
engine = PowEngine(PowParams.named("devnet"), block_hash, public_key, threads=threads)
assert torch.get_num_threads() == threads
# Two batch sizes in one process: 5 splits a batch of 12 into uneven parts.
print(json.dumps([engine.distances(nonces).tolist(), engine.distances(nonces, batch_size=5).tolist()]))
"""


def _run(threads: int, nonces: list[int]) -> list[list[float]]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, BLOCK_HASH, PUBLIC_KEY, str(threads), json.dumps(nonces)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(done.stdout)


def test_same_distances_in_other_processes_with_one_or_two_threads(devnet) -> None:
    nonces = GOLDEN["nonces"] + list(range(1000, 1006))
    here = PowEngine(devnet, BLOCK_HASH, PUBLIC_KEY).distances(nonces).tolist()
    assert here[: len(GOLDEN["nonces"])] == GOLDEN["distances"]["float32"]
    for threads in (1, 2):
        for run in _run(threads, nonces):
            assert [float.hex(x) for x in run] == [float.hex(x) for x in here], f"{threads} thread(s)"
    assert torch.get_num_threads() == 1  # the subprocesses did not touch this process
