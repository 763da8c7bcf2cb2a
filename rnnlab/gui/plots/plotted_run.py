"""What a training plot keeps of each run besides its points: name, colour index, visibility, the
curves that show it while another run is current, its marker lines, and its legend swatch."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.LegendItem import ItemSample
from PySide6.QtCore import QPointF, QRectF

from rnnlab.gui.plots.run_series import RunSeries


@dataclass
class RunLine:
    """A vertical line at a run's step: a setting change or a divergence."""

    step: int
    text: str
    line: pg.InfiniteLine


@dataclass
class PlottedRun:
    name: str
    index: int  # chooses colour and dash pattern (run_styles)
    series: RunSeries
    visible: bool = True
    overlays: dict[str, pg.PlotDataItem] = field(default_factory=dict)  # drawn unless current
    # The legend's swatch for the run: a line in its pen, never added to the plot, so that the
    # gradient-norm plot's 1-pixel curves still get a swatch one can see the colour of.
    swatch: pg.PlotDataItem = field(default_factory=pg.PlotDataItem)
    markers: list[RunLine] = field(default_factory=list)
    divergences: list[RunLine] = field(default_factory=list)

    def lines(self) -> list[RunLine]:
        return self.markers + self.divergences

    def place_lines(self, x_axis: str, current: bool) -> None:
        """Put the lines at the x of their step on ``x_axis``: setting changes only while the
        run is current (every run's would crowd the plot), divergences of every visible run;
        none where the x of the step is unknown."""
        for lines, shown in ((self.markers, current), (self.divergences, True)):
            if not lines:
                continue
            positions = self.series.x_at_steps(np.array([line.step for line in lines]), x_axis)
            for line, position in zip(lines, positions):
                visible = self.visible and shown and bool(np.isfinite(position))
                line.line.setVisible(visible)  # first: a hidden line ignores new values
                if visible:
                    line.line.setValue(float(position))

    def label_divergences(self, named: bool) -> None:
        """With several runs (``named``), a divergence's label says which run diverged."""
        for line in self.divergences:
            text = f"{self.name} {line.text}" if named else line.text
            line.line.label.setFormat(text.replace("{", "{{").replace("}", "}}"))


class StaticSample(ItemSample):
    """A legend swatch that ignores clicks (pyqtgraph's would hide the curve behind the run
    table's back). Given a ``length``, a line that long in the item's pen: pyqtgraph's 20 pixels
    show less than one period of a dash-dot pattern at presentation widths, and every run's
    line then looks solid."""

    def __init__(self, item: pg.PlotDataItem, length: float | None = None) -> None:
        super().__init__(item)
        self._length = length
        if length:  # the legend's grid lays entries out by their size, not their bounds
            self.setMinimumWidth(length)
            self.setMaximumWidth(length)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._length, 20) if self._length else super().boundingRect()

    def paint(self, painter, *args) -> None:
        if not self._length:
            super().paint(painter, *args)
            return
        painter.setPen(pg.mkPen(self.item.opts["pen"]))
        painter.drawLine(QPointF(2, 11), QPointF(self._length - 2, 11))

    def mouseClickEvent(self, event) -> None:
        event.ignore()


def fill_legend(
    legend: pg.LegendItem, entries: list[tuple[pg.PlotDataItem, str, float | None]]
) -> list:
    """Replace the legend's entries (item, text, swatch length or None for pyqtgraph's); the
    label items, in order. Texts are plain: run names are typed by users, and the legend reads
    HTML."""
    legend.clear()
    for item, text, length in entries:
        legend.addItem(StaticSample(item, length), html.escape(text))
    return [label for _, label in legend.items]
