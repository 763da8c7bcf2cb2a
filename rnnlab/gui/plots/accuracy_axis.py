"""Validation accuracy on the loss plot's right axis, 0 to 100 %: on a symbol task, the share of
validation answers that were right, per run.

A percentage whatever the task's loss, so it gets an axis of its own rather than the loss axis:
neither scale then squeezes the other. Its points are diamonds, the validation losses dots.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from rnnlab.gui.plots.plot_data import GrowingArray
from rnnlab.gui.plots.plotted_run import PlottedRun

ACCURACY_LABEL = "validation accuracy (%)"
ACCURACY_SYMBOL = "d"  # diamonds: the validation losses are dots
_ACCURACY_RANGE = (0.0, 100.0)
_ACCURACY_PADDING = 0.04  # a point at 0 % or 100 % stays whole, not cut at the edge


def style_diamonds(
    item: pg.PlotDataItem, colour: QColor, ring: QColor, scale: float, line: QColor | None = None
) -> None:
    """Diamonds in ``colour`` with a ``ring`` (the background's colour) that parts them from the
    curves beneath, joined by a thin ``line`` (None: none, as in the legend)."""
    item.setPen(None if line is None else pg.mkPen(line, width=max(1.0, scale)))
    item.setSymbolBrush(colour)
    item.setSymbolPen(pg.mkPen(ring, width=1.5 * scale))
    item.setSymbolSize(round(13 * scale))  # a diamond looks smaller than a dot of 11


class PercentAxis(pg.AxisItem):
    """Ticks as "80 %": the left axis has losses such as 0.8, and a bare 80 beside them could be
    read as another loss."""

    def tickStrings(self, values, scale, spacing):
        return [f"{value * scale:g} %" for value in values]


class AccuracyAxis:
    """Each run's validation accuracy, in percent, on the plot's right axis.

    Its points live in a view box of their own, linked to the plot's x axis and fixed at 0 to
    100 %: the plot's own view box auto-ranges on the losses. That view box sits behind the
    plot's, so the losses, lines and labels are drawn over the accuracy, and panning and zooming
    with the mouse still reach the plot's view box."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        item = plot.getPlotItem()
        self._main = item.getViewBox()
        self.axis: pg.AxisItem = item.getAxis("right")
        self.view = pg.ViewBox(enableMenu=False)
        self.view.setMouseEnabled(x=False, y=False)
        item.scene().addItem(self.view)
        self.view.setZValue(item.zValue() - 1)
        self.axis.linkToView(self.view)
        self.view.setXLink(self._main)
        self.view.setYRange(*_ACCURACY_RANGE, padding=_ACCURACY_PADDING)
        self.view.disableAutoRange()  # its x follows the link; its own points must not push it
        self._main.sigResized.connect(self._fit)
        self._accuracies: dict[int, tuple[GrowingArray, GrowingArray]] = {}  # steps, fractions
        self._curves: dict[int, pg.PlotDataItem] = {}
        self._drawn: dict[int, tuple] = {}  # what each curve was drawn from, to skip redraws
        self._shown = False
        self.set_shown(False)

    def set_shown(self, shown: bool) -> None:
        """Show the axis and the points (a symbol task) or neither (text, a number task)."""
        self._shown = shown
        self.axis.setVisible(shown)
        self.axis.setStyle(showValues=shown)
        # Hidden, the axis takes no width: the text plot keeps the room it always had.
        self.axis.setWidth(None if shown else 0)
        self.view.setVisible(shown)
        self._drawn.clear()

    def shown(self) -> bool:
        return self._shown

    def add(self, run: int, step: int, accuracy: float) -> None:
        steps, fractions = self._accuracies.setdefault(
            run, (GrowingArray(np.int64, 64), GrowingArray(np.float64, 64))
        )
        steps.append(np.array([step]))
        fractions.append(np.array([accuracy]))

    def forget(self, run: int, keep_curve: bool) -> None:
        """Forget the run's accuracies; its curve too unless ``keep_curve`` (a cleared run
        keeps its curve, styled, for the points of its fresh start)."""
        self._accuracies.pop(run, None)
        self._drawn.pop(run, None)
        if keep_curve and run in self._curves:
            self._curves[run].setData(x=[], y=[])
        elif run in self._curves:
            self.view.removeItem(self._curves.pop(run))

    def data(self, run: int) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the run's (steps, accuracies as fractions)."""
        if run not in self._accuracies:
            return np.empty(0, np.int64), np.empty(0)
        steps, fractions = self._accuracies[run]
        return steps.view().copy(), fractions.view().copy()

    def points(self, run: int) -> tuple[np.ndarray, np.ndarray]:
        """The run's points as drawn (x on the plot's x axis, y in percent); none if hidden."""
        curve = self._curves.get(run)
        if curve is None or not curve.isVisible():
            return np.empty(0), np.empty(0)
        x, y = curve.getData()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)

    def nbytes(self, run: int) -> int:
        return sum(array.nbytes for array in self._accuracies.get(run, ()))

    def draw(self, runs: dict[int, PlottedRun], x_axis: str) -> None:
        """Put each visible run's points at the x of their steps (NaN x: left out)."""
        for run, (steps, fractions) in self._accuracies.items():
            entry = runs.get(run)
            curve = self._curve(run)
            shown = self._shown and entry is not None and entry.visible
            key = (len(steps), entry.series.version if entry else None, x_axis)
            curve.setVisible(shown)
            if not shown or self._drawn.get(run) == key:
                continue
            x = entry.series.x_at_steps(steps.view(), x_axis)
            known = np.isfinite(x)
            curve.setData(x=x[known], y=100.0 * fractions.view()[known])
            self._drawn[run] = key

    def style(self, run: int, colour: QColor, ring: QColor, line: QColor, scale: float) -> None:
        """The run's diamonds in ``colour`` on a thin line in ``line``: the trend, shown without
        passing for a loss curve."""
        style_diamonds(self._curve(run), colour, ring, scale, line)

    def style_axis(self, text: QColor, font, label_size: str, scale: float) -> None:
        self.axis.setPen(pg.mkPen(text, width=max(1.0, scale)))
        self.axis.setTextPen(text)
        self.axis.setTickFont(font)
        self.axis.setStyle(tickTextOffset=int(5 * scale))
        self.axis.setLabel(ACCURACY_LABEL, color=text.name(), **{"font-size": label_size})

    def runs(self) -> list[int]:
        return list(self._accuracies)

    def _curve(self, run: int) -> pg.PlotDataItem:
        if run not in self._curves:
            curve = pg.PlotDataItem(symbol=ACCURACY_SYMBOL)
            self.view.addItem(curve)
            self._curves[run] = curve
        return self._curves[run]

    def _fit(self, *_unused: object) -> None:
        self.view.setGeometry(self._main.sceneBoundingRect())
        self.view.linkedViewChanged(self._main, self.view.XAxis)
