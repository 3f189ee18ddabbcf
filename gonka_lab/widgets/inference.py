"""One inference: its tokens as they stream in, then its id, then its validation outcome."""

from __future__ import annotations

import ipywidgets as widgets


class InferenceView:
    def __init__(self, prompt: str) -> None:
        self.text = ""
        self.tokens = widgets.Textarea(value="", layout=widgets.Layout(width="100%", height="6em"), disabled=True)
        self.info = widgets.HTML(f"<i>sending</i> {prompt[:60]!r} …")
        self.outcome = widgets.HTML("")
        self.widget = widgets.VBox([self.tokens, self.info, self.outcome])

    def add(self, text: str) -> None:
        self.text += text
        self.tokens.value = self.text

    def done(self, inference_id: str, executor: str = "") -> None:
        self.info.value = f"inference <code>{inference_id[:24]}…</code>" + (f" by {executor}" if executor else "")

    def status(self, status: str, final: bool) -> None:
        self.outcome.value = f"validation: <b>{status}</b>" + ("" if final else " <i>(waiting)</i>")
