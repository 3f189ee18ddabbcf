"""A PoW sprint per participant: nonces tried, valid nonces, blocks left; then the weights."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd


class SprintView:
    def __init__(self, participants: list[str]) -> None:
        self.header = widgets.HTML("<b>sprint</b> waiting for the PoC stage …")
        self.bars = {name: widgets.IntProgress(min=0, max=1, description=name) for name in participants}
        self.labels = {name: widgets.Label("") for name in participants}
        rows = [widgets.HBox([self.bars[n], self.labels[n]]) for n in participants]
        self.weights = widgets.HTML("")
        self.widget = widgets.VBox([self.header, *rows, self.weights])

    def update(self, progress: pd.DataFrame, header: str) -> None:
        """`progress`: one row per participant with name, nonces_tried, valid_nonces."""
        self.header.value = f"<b>sprint</b> {header}"
        most = max([1, *progress["nonces_tried"].tolist()])
        for row in progress.itertuples():
            if row.name not in self.bars:
                continue
            self.bars[row.name].max = most
            self.bars[row.name].value = int(row.nonces_tried)
            self.labels[row.name].value = f"{row.nonces_tried} tried, {row.valid_nonces} valid"

    def finish(self, weights: pd.DataFrame) -> None:
        self.header.value = "<b>sprint</b> finished"
        self.weights.value = "<b>weights</b>" + weights.to_html(index=False, border=0)
