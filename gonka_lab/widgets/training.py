"""A training task live: the loss of every worker at every inner step, with a marker at each
outer step (where DiLoCo syncs), and the workers' status, commits and pay.

The plot is a PNG in an Image widget, re-rendered at each update: unlike an Output widget it can
be replaced safely from the background thread that keeps the view live."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure

from gonka_lab.plots import short

LOSS_COLUMNS = ["worker", "outer_step", "step", "loss"]


def loss_frame(commitments: list[dict[str, Any]], inner_steps: int, names: dict[str, str]) -> pd.DataFrame:
    """One row per committed inner step: worker (name or short address), outer step, global step, loss."""
    rows = [
        (names.get(c["worker"], short(c["worker"])), int(c["outer_step"]), int(c["outer_step"]) * inner_steps + i,
         int(micro) / 1e6)
        for c in commitments for i, micro in enumerate(c["losses_micro"])
    ]
    return pd.DataFrame(rows, columns=LOSS_COLUMNS).sort_values(["worker", "step"], ignore_index=True)


def loss_figure(losses: pd.DataFrame, inner_steps: int, outer_steps: int) -> Figure:
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    ax = fig.subplots()
    for outer in range(1, outer_steps):  # DiLoCo's syncs: the outer-step markers
        ax.axvline(outer * inner_steps, color="#dddddd", linewidth=0.8, zorder=0)
    for worker, rows in losses.groupby("worker"):
        ax.plot(rows["step"], rows["loss"], label=str(worker), linewidth=1)
    ax.set_xlim(0, max(1, outer_steps * inner_steps))
    ax.set_xlabel(f"inner step (outer step every {inner_steps})")
    ax.set_ylabel("training loss")
    if not losses.empty:
        ax.legend(loc="upper right", fontsize="small")
    return fig


class TrainingView:
    def __init__(self, task_id: int) -> None:
        self.header = widgets.HTML(f"<b>training task {task_id}</b> …")
        self.plot = widgets.Image(format="png")
        self.figure: Figure | None = None
        self.workers = widgets.HTML("")
        self.widget = widgets.VBox([self.header, self.plot, self.workers])

    def update(self, task: dict[str, Any], losses: pd.DataFrame, workers: pd.DataFrame) -> None:
        spec = task["spec"]
        self.header.value = (f"<b>training task {task['id']}</b> [{task['status']}] {spec['model']} on "
                             f"{spec['dataset']}: H={spec['inner_steps']}, T={spec['outer_steps']}, "
                             f"escrow {task['escrow']} of {task['budget']} ngonka, paid {task['paid']}")
        self.figure = loss_figure(losses, int(spec["inner_steps"]), int(spec["outer_steps"]))
        png = BytesIO()
        self.figure.savefig(png, format="png", dpi=80)
        self.plot.value = png.getvalue()
        self.workers.value = workers.to_html(index=False, border=0) if not workers.empty else "<i>no workers yet</i>"
