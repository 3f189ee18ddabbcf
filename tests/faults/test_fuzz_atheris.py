"""Coverage-guided fuzzing (atheris) of the decoders that read what strangers send: the chain
node's tx decoding and stateless checks, the ML node's chat body validation, the api node's
signature headers (atheris_targets.py). Each target runs in its own process for a fixed number
of inputs from a fixed seed, starting from valid inputs; an input that makes a decoder fail in
any way other than its own clean refusal ends the run with libFuzzer's report and a non-zero
status, and the test shows the reproducer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris has no wheel for this platform/Python (hypothesis fuzzing still runs)")

# atheris_targets.TARGETS; not imported here: importing it instruments the node modules in this process
TARGETS = ("chat_body", "signature_headers", "tx")

RUNS = 100_000  # about 5 s per target here, most of it start-up
TIMEOUT_S = 240


@pytest.mark.parametrize("target", TARGETS)
def test_decoder_refuses_every_input_cleanly(target: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "tests.faults.atheris_targets", target, f"-runs={RUNS}", "-seed=1",
         f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, timeout=TIMEOUT_S, cwd=Path(__file__).resolve().parents[2],
    )
    report = run.stderr[-4000:]
    assert run.returncode == 0, f"{target}: a decoder failed on an input (libFuzzer's report):\n{report}"
    assert f"#{RUNS}\tDONE" in run.stderr, report  # it really ran every input
