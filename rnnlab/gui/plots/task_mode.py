"""The loss plot on a synthetic memory task (``rnnlab.core.tasks``): the task's own loss, its
chance line, and each run's validation accuracy.

A task's losses are not nats per character: squared error for ``adding``, the cross-entropy of
one answer for ``recall`` and ``order``. The plot shows them as they come (no nats, bits or
perplexity), names the loss on its y axis, and draws the chance level (the loss of the best
answer that ignores the inputs) where a text run would see the uniform guess: on a task, no
alphabet is guessed among. Tasks whose answers are right or wrong (symbols, not numbers) also
show validation accuracy, on a right axis (``accuracy_axis``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from rnnlab.gui.plots.accuracy_axis import ACCURACY_SYMBOL, AccuracyAxis, style_diamonds
from rnnlab.gui.plots.plot_base import StepPlot
from rnnlab.gui.plots.run_plot import RunPlot

# The y axis names the loss; cross-entropy says its unit, since bits would be just as natural.
TASK_LOSS_LABELS = {"squared error": "squared error", "cross-entropy": "cross-entropy (nats)"}
ACCURACY_LEGEND = "accuracy (right axis)"  # short: the legend must fit two columns at 1366 px


def format_chance(value: float) -> str:
    """0.167, 2.08, 1.39: three significant digits, as the validation losses are read."""
    return f"{value:.3g}"


@dataclass(frozen=True)
class LossTask:
    """What the loss plot needs of a task: its loss, chance level and whether its answers are
    right or wrong (symbols) rather than near or far (numbers)."""

    loss_name: str  # rnnlab.core.tasks.SQUARED_ERROR or CROSS_ENTROPY
    chance: float
    has_accuracy: bool
    chance_note: str = ""  # the blind answer in words: "always answering 1"

    def axis_label(self) -> str:
        return TASK_LOSS_LABELS.get(self.loss_name, self.loss_name)

    def chance_label(self) -> str:
        text = f"chance {format_chance(self.chance)}"
        return f"{text} ({self.chance_note})" if self.chance_note else text

    def unit_tip(self) -> str:
        """Why the loss unit cannot be chosen: for the unit menu's tooltip."""
        return (
            f"The runs are on a task, whose loss is {self.axis_label()}, not a loss per "
            "character of text: the plot shows it as it comes. Bits and perplexity are for text."
        )


class TaskMode:
    """What the loss plot adds on a task: the chance line and the accuracy axis. Keeps no
    reference to the plot (a cycle would keep a closed plot alive until the next collection)."""

    def __init__(self, plot: StepPlot) -> None:
        self.task: LossTask | None = None
        self.chance_line = plot._add_line(0.0, "chance", "text", Qt.PenStyle.DashLine)
        self.chance_line.setVisible(False)
        self.accuracy = AccuracyAxis(plot)
        # The legend's entry for the accuracy points; never added to the plot.
        self._swatch = pg.PlotDataItem([0.0], [0.0], symbol=ACCURACY_SYMBOL, pen=None)

    def set_task(self, task: LossTask | None) -> None:
        self.task = task
        self.accuracy.set_shown(task is not None and task.has_accuracy)
        self.chance_line.setVisible(task is not None)  # first: a hidden line ignores new values
        if task is not None:
            self.chance_line.setValue(task.chance)
            label = task.chance_label().replace("{", "{{").replace("}", "}}")  # a format string
            self.chance_line.label.setFormat(label)

    def legend_entries(self) -> list[tuple[pg.PlotDataItem, str]]:
        return [(self._swatch, ACCURACY_LEGEND)] if self.accuracy.shown() else []

    def restyle(self, plot: RunPlot) -> None:
        """One run: green diamonds (the colour of what is right); several: each run's in its
        colour, the legend's swatch neutral as the validation dot's is."""
        ring = plot._palette_colour(QPalette.ColorRole.Base)
        several, scale = plot._several(), plot.font_scale()
        for run, entry in plot._runs.items():
            if several:
                colour, line = plot._run_colour(entry), plot._run_colour(entry, 0.5)
            else:
                colour, line = plot._colour("marker"), plot._colour("marker", 0.5)
            self.accuracy.style(run, colour, ring, line, scale)
        swatch = plot._colour("text", 0.8) if several else plot._colour("marker")
        style_diamonds(self._swatch, swatch, ring, scale)
        text = plot._colour("text")
        self.accuracy.style_axis(text, plot._font(), f"{plot._point_size(1.1)}pt", scale)
