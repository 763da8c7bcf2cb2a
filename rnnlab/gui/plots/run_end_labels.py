"""Each run's name written at the end of its curve, in its colour.

With several runs a student matches curve to run by colour and dash pattern through the legend
below the plot; a name at the curve's end needs neither (a colour-blind viewer, the back of a
lecture room). Labels that would overlap on screen are pushed apart vertically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont


@dataclass(frozen=True)
class EndPoint:
    run: int
    name: str
    colour: QColor
    x: float
    y: float  # in the view's y (a log plot: log10)


def last_finite(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """The last point of a curve where both coordinates are finite, or None."""
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if not len(finite):
        return None
    return float(x[finite[-1]]), float(y[finite[-1]])


class RunEndLabels:
    def __init__(self, plot: pg.PlotWidget) -> None:
        # Its view box, not the plot widget: a reference back to the widget that owns this
        # would keep a closed plot alive until the next garbage collection.
        self._view = plot.getViewBox()
        self._labels: dict[int, pg.TextItem] = {}
        self._points: list[EndPoint] = []
        self._view.sigRangeChanged.connect(self._spread)

    def place(self, points: list[EndPoint], font: QFont, background: QColor) -> None:
        """Show a label at each point (and none for runs not among them), on a translucent
        ``background`` so it reads over the curves it crosses."""
        self._points = points
        wanted = {point.run for point in points}
        for run in [run for run in self._labels if run not in wanted]:
            self._view.removeItem(self._labels.pop(run))
        for point in points:
            label = self._labels.get(point.run)
            if label is None:
                label = pg.TextItem(anchor=(0.0, 0.5))  # starts just right of the curve's end
                label.setZValue(4)
                self._view.addItem(label)
                self._labels[point.run] = label
            label.setText(f" {point.name}", color=point.colour)
            label.setFont(font)
            label.fill = pg.mkBrush(background)
        self._spread()

    def texts(self) -> dict[int, str]:
        return {run: label.textItem.toPlainText().strip() for run, label in self._labels.items()}

    def _spread(self, *_unused: object) -> None:
        """Labels at their curves' ends, moved apart where two would overlap on screen."""
        if not self._points:
            return
        view = self._view
        _, pixel_height = view.viewPixelSize()  # data units per pixel, vertically
        spacing = 1.2 * max(
            (label.boundingRect().height() for label in self._labels.values()), default=0.0
        )
        (left, right), _ = view.viewRange()
        placed: list[tuple[float, float]] = []  # (x, y) of labels already placed
        for point in sorted(self._points, key=lambda point: -point.y):
            # Right of the curve's end; above and left of it where the plot's edge is near
            # (the longest run's end is at the edge: its name would be cut off there).
            near_edge = point.x > left + 0.8 * (right - left)
            self._labels[point.run].setAnchor((1.0, 1.0) if near_edge else (0.0, 0.5))
            y = point.y
            for other_x, other_y in placed:
                close_in_x = abs(other_x - point.x) < 0.15 * (right - left)
                if close_in_x and abs(other_y - y) < spacing * pixel_height:
                    y = other_y - spacing * pixel_height  # just below the one above
            placed.append((point.x, y))
            self._labels[point.run].setPos(point.x, y)
