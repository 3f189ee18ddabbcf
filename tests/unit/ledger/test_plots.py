"""The ledger charts draw what the ledger holds (and say so when it holds nothing yet)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from gonka_lab import plots
from gonka_lab.ledger import Ledger

from .test_indexing import index


def bar_total(fig: Figure, axis: int = 0) -> float:
    return sum(patch.get_height() for patch in fig.axes[axis].patches)


def test_charts_of_a_multi_epoch_run(db: Path, tmp_path: Path, blocks: list[dict[str, Any]]) -> None:
    ledger = index(db, blocks)
    weights = plots.weight_distribution(ledger)
    assert [ax.get_title() for ax in weights.axes] == [
        "PoC weight share per epoch", "voting power (capped) share per epoch"
    ]
    assert bar_total(weights, 0) == bar_total(weights, 1) == 2.0  # two epochs, shares sum to 1 each
    volume = plots.inference_volume(ledger, bucket_blocks=20)
    assert bar_total(volume) == 5  # every inference in one bar segment
    assert {t.get_text() for t in volume.axes[0].get_legend().get_texts()} == {
        "FINISHED", "VALIDATED", "INVALIDATED", "EXPIRED"
    }
    rewards = plots.rewards_per_participant(ledger)
    assert len(rewards.axes[0].get_xticklabels()) == 3 and bar_total(rewards) > 0
    for name, fig in {"weights": weights, "volume": volume, "rewards": rewards}.items():
        fig.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


def test_an_empty_ledger_draws_a_note(db: Path) -> None:
    for fig in (plots.weight_distribution(Ledger(db)), plots.inference_volume(Ledger(db)),
                plots.rewards_per_participant(Ledger(db))):
        assert "in the ledger yet" in fig.axes[0].texts[0].get_text()
