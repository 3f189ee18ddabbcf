"""A DataFrame shown as an HTML table widget that can be replaced in place (live tables)."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd


class FrameView:
    def __init__(self, title: str, frame: pd.DataFrame) -> None:
        self.title = widgets.HTML()
        self.table = widgets.HTML()
        self.widget = widgets.VBox([self.title, self.table])
        self._caption = title
        self.frame = frame
        self.update(frame)

    def update(self, frame: pd.DataFrame, note: str = "") -> None:
        self.frame = frame
        self.title.value = f"<b>{self._caption}</b> {note}"
        self.table.value = frame.to_html(index=False, border=0) if not frame.empty else "<i>no rows</i>"
