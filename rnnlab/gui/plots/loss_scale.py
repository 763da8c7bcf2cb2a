"""What the loss plot's y axis means: text losses in nats, bits or perplexity against the
uniform guess, or a synthetic task's own loss against its chance line (``task_mode``).

The runs' series keep the losses as they came ("losses", "smoothed") and as shown
("shown_losses", "shown_smoothed"); a change of unit or of mode converts the shown columns anew.
A task's losses are shown as they come: the conversion for "nats" leaves values as they are.
Shown, a loss goes no higher than a ceiling (``LossScalePlot.ceiling``): the last steps of a run
that blows up reach 1e30 and more, and the y axis stretched to them flattened every other run's
curve into a line at zero. The data kept (and exported) are the losses as they came.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal

from rnnlab.gui.plots.accuracy_axis import PercentAxis
from rnnlab.gui.plots.plot_data import UNITS, convert_loss
from rnnlab.gui.plots.run_plot import RunPlot
from rnnlab.gui.plots.task_mode import LossTask, TaskMode

# The ceiling in multiples of what a blind guess scores: on text the uniform guess, where an
# untrained run starts; on a task its chance level (an untrained adding run starts at about 7 x
# chance: the sum's square, 1 + 1/6, over 1/6).
TEXT_CEILING, TASK_CEILING = 2.0, 10.0

LOSS_AXIS_LABELS = {
    "nats": "loss (nats/char)", "bits": "loss (bits/char)", "perplexity": "perplexity",
    "token": "loss (nats/token: each run's own unit)",
}  # fmt: skip


class LossScalePlot(RunPlot):
    """A RunPlot of losses with a unit (text) or a task; ``LossPlot`` draws the curves."""

    # set_task or set_text, with the LossTask or None: the unit and baseline menus follow.
    modeChanged = Signal(object)

    def __init__(self, name: str, title: str, **options) -> None:
        # The accuracy's axis, hidden until a task has accuracy: percent ticks, not bare numbers.
        options["axisItems"] = {**options.get("axisItems", {}), "right": PercentAxis("right")}
        super().__init__(name, title, LOSS_AXIS_LABELS["nats"], **options)
        self._unit = "nats"  # as the curves show the losses (a task's: as they come, "nats")
        self._text_unit = "nats"  # the unit chosen for text, kept through a task
        self._vocabulary_size = 0
        self.uniform_line = self._add_line(0.0, "uniform guess", "text", Qt.PenStyle.DashLine)
        self.uniform_line.setVisible(False)
        self.task_mode = TaskMode(self)  # the chance line and accuracy, on a task
        self.chance_line, self.accuracy = self.task_mode.chance_line, self.task_mode.accuracy

    def set_task(
        self, loss_name: str, chance: float, has_accuracy: bool, chance_note: str = ""
    ) -> None:
        """Show a task's runs: losses as they come, named ``loss_name`` on the y axis; a dashed
        "chance 0.167 (``chance_note``)" line instead of the uniform guess; validation accuracy
        on a right axis if ``has_accuracy``. Units and n-gram baselines do not apply."""
        self._change_mode(LossTask(loss_name, float(chance), bool(has_accuracy), chance_note))

    def set_text(self) -> None:
        """Back to text runs: the chosen unit, the uniform guess, no accuracy."""
        self._change_mode(None)

    def task(self) -> LossTask | None:
        """The task the runs are on, or None on text."""
        return self.task_mode.task

    def add_accuracy(self, step: int, accuracy: float, *, run: int = 0) -> None:
        """A validation's share of right answers (0 to 1) on a symbol task; shown in percent
        on the right axis while the plot is on a task with accuracy."""
        self._run(run)
        self.accuracy.add(run, step, accuracy)
        self._run_data_changed(run)

    def set_vocabulary_size(self, size: int) -> None:
        self._vocabulary_size = int(size)
        self._place_uniform_line()
        if self.task() is None:
            self._convert_shown()  # a new ceiling

    def ceiling(self) -> float:
        """The highest loss (in nats, or the task's loss) the curves are drawn at: a run whose
        loss is higher is drawn at this height, off the top of every healthy curve."""
        task = self.task()
        if task is not None:
            return task.chance * TASK_CEILING if task.chance > 0 else math.inf
        if self._vocabulary_size > 1:
            return math.log(self._vocabulary_size) * TEXT_CEILING
        return math.inf

    def _shown(self, losses: np.ndarray, token_factors: np.ndarray | float = 1.0) -> np.ndarray:
        """Losses (nats per character) as the curves draw them: at most the ceiling, in the unit
        shown. ``token_factors``: characters per token where each loss was measured (a word or
        BPE run's), for the per-token unit."""
        capped = np.minimum(np.asarray(losses, np.float64), self.ceiling())
        if self._unit == "token":
            capped = capped * token_factors
        return convert_loss(capped, self._unit)

    def show_uniform_line(self, shown: bool) -> None:
        """Show the uniform guess where it means something: on text of two characters or more."""
        self.uniform_line.setVisible(shown and self.task() is None and self._vocabulary_size > 1)

    def set_unit(self, unit: str) -> None:
        """Show text losses in ``unit``; on a task, kept for when the plot is back on text."""
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
        self._text_unit = unit
        if self.task() is None:
            self._show_unit(unit)

    def unit(self) -> str:
        """The unit chosen for text (a task's losses are shown as they come)."""
        return self._text_unit

    def _change_mode(self, task: LossTask | None) -> None:
        self.task_mode.set_task(task)
        self._show_unit("nats" if task else self._text_unit)
        self._runs_changed()  # the legend's accuracy entry, the accuracy points
        self.modeChanged.emit(task)

    def _show_unit(self, unit: str) -> None:
        self._unit = unit
        self._convert_shown()
        task = self.task()
        self._y_label = task.axis_label() if task else LOSS_AXIS_LABELS[unit]
        self._restyle()
        self._place_uniform_line()
        self.flush()
        self.enableAutoRange(axis="y")  # the old range means nothing in the new unit

    def _convert_shown(self) -> None:
        """The shown columns anew from the losses as they came: in the unit, under the ceiling."""
        for run, entry in self._runs.items():
            series = entry.series
            factors = series.column("token_factors")
            for shown, stored in (("shown_losses", "losses"), ("shown_smoothed", "smoothed")):
                series.replace(shown, self._shown(series.column(stored), factors))
            self._stale_runs.add(run)
        self._schedule_redraw()

    def _place_uniform_line(self) -> None:
        visible = self.task() is None and self._vocabulary_size > 1  # a task has its chance line
        # Visible first: a hidden line's label ignores new values.
        self.uniform_line.setVisible(visible)
        if visible:
            nats = math.log(self._vocabulary_size)
            self.uniform_line.setValue(float(convert_loss(nats, self._unit)))
