"""An epoch's stages as a horizontal bar of blocks with a marker at the current height."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

# stage boundary fields of the chain's `epoch` query, in order, with a short label and a colour
STAGES = (
    ("poc_start", "PoC generate", "#fc8d62"),
    ("poc_generation_end", "wind down", "#fdb462"),
    ("poc_validation_start", "PoC validate", "#8da0cb"),
    ("poc_validation_end", "set validators", "#e78ac3"),
    ("set_new_validators", "claims", "#a6d854"),
    ("claim_money", "inference", "#66c2a5"),
)


def stage_rows(epoch: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(label, first height, last height) per stage of the epoch's PoC and inference phases."""
    stages = epoch.get("stages")
    if not stages:
        return [("inference (genesis epoch)", 0, int(epoch["next_poc_start_height"]) - 1)]
    starts = [int(stages[field]) for field, _, _ in STAGES] + [int(stages["next_poc_start"])]
    return [(label, starts[i], max(starts[i], starts[i + 1] - 1)) for i, (_, label, _) in enumerate(STAGES)]


def render(epoch: dict[str, Any]) -> str:
    rows = stage_rows(epoch)
    first, last, height = rows[0][1], rows[-1][2], int(epoch["height"])
    span = max(1, last - first + 1)
    colours = {label: colour for _, label, colour in STAGES}
    cells = "".join(
        f'<div title="{label}: {start}–{end}" style="width:{100 * (end - start + 1) / span:.2f}%;'
        f'background:{colours.get(label, "#66c2a5")};padding:2px;overflow:hidden;white-space:nowrap;'
        f'font-size:11px">{label}</div>'
        for label, start, end in rows
    )
    where = min(100.0, max(0.0, 100 * (height - first) / span))
    marker = f'<div style="position:absolute;left:{where:.2f}%;top:0;bottom:0;border-left:2px solid black"></div>'
    return (f"<b>epoch {epoch['epoch_index']}</b> — phase {epoch['phase']}, block {height} "
            f"(next PoC at {epoch['next_poc_start_height']})"
            f'<div style="position:relative;display:flex;width:100%;border:1px solid #999">{cells}{marker}</div>')


class EpochTimeline:
    def __init__(self, epoch: dict[str, Any]) -> None:
        self.epoch = epoch
        self.widget = widgets.HTML(render(epoch))

    def update(self, epoch: dict[str, Any]) -> None:
        self.epoch = epoch
        self.widget.value = render(epoch)
