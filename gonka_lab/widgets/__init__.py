"""ipywidgets views the `%gonka` magics display: each keeps its data as state (not printed
text), so code and papermill runs can read what a person sees."""

from gonka_lab.widgets.frame import FrameView
from gonka_lab.widgets.inference import InferenceView
from gonka_lab.widgets.live import Refresher
from gonka_lab.widgets.sprint import SprintView
from gonka_lab.widgets.timeline import EpochTimeline
from gonka_lab.widgets.training import TrainingView

__all__ = ["EpochTimeline", "FrameView", "InferenceView", "Refresher", "SprintView", "TrainingView"]
