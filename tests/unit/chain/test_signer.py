"""The signer never signs two different things at one height/round/step, across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.chain.consensus.signer import STEP_PRECOMMIT, STEP_PREVOTE, STEP_PROPOSE, DoubleSignRefused, Signer
from node.core.consensus_keys import ConsensusKey, verify_consensus_signature

KEY = ConsensusKey.from_seed(bytes(range(32)))


def test_same_bytes_at_same_step_return_the_stored_signature(tmp_path: Path) -> None:
    signer = Signer(KEY, tmp_path / "state.json")
    first = signer.sign(5, 0, STEP_PREVOTE, b"vote-a")
    assert verify_consensus_signature(KEY.public_key, b"vote-a", first)
    restarted = Signer(KEY, tmp_path / "state.json")
    assert restarted.sign(5, 0, STEP_PREVOTE, b"vote-a") == first


def test_conflicting_vote_is_refused_even_after_restart(tmp_path: Path) -> None:
    Signer(KEY, tmp_path / "state.json").sign(5, 0, STEP_PREVOTE, b"vote-a")
    restarted = Signer(KEY, tmp_path / "state.json")
    with pytest.raises(DoubleSignRefused):
        restarted.sign(5, 0, STEP_PREVOTE, b"vote-b")


@pytest.mark.parametrize(
    "later",
    [(5, 0, STEP_PRECOMMIT), (5, 1, STEP_PROPOSE), (6, 0, STEP_PROPOSE)],
)
def test_progress_is_allowed(tmp_path: Path, later: tuple[int, int, int]) -> None:
    signer = Signer(KEY, tmp_path / "state.json")
    signer.sign(5, 0, STEP_PREVOTE, b"vote")
    signer.sign(*later, b"next")
    assert (signer.last.height, signer.last.round, signer.last.step) == later


@pytest.mark.parametrize("earlier", [(5, 0, STEP_PROPOSE), (4, 9, STEP_PRECOMMIT), (3, 0, STEP_PRECOMMIT)])
def test_regression_is_refused(tmp_path: Path, earlier: tuple[int, int, int]) -> None:
    signer = Signer(KEY, tmp_path / "state.json")
    signer.sign(5, 0, STEP_PREVOTE, b"vote")
    with pytest.raises(DoubleSignRefused):
        signer.sign(*earlier, b"old")
