"""Each run's name written at the end of its curve, in its colour.

With several runs a student matches curve to run by colour and dash pattern through the legend
below the plot; a name at the curve's end needs neither (a colour-blind viewer, the back of a
lecture room). Labels that would overlap on screen are pushed apart vertically, and off the
horizontal reference lines and their labels: a run stuck at the chance level ends on the chance
line, whose dashes would strike its name through.
"""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass
class _Name:
    """A run's name being placed: where its anchor goes, and its size, in the view's units."""

    x: float
    y: float
    label: pg.TextItem
    anchor: tuple[float, float]
    extent: tuple[float, float]  # width, height

    def bottom(self) -> float:
        return self.y - (1.0 - self.anchor[1]) * self.extent[1]


# A rectangle in the view's coordinates: left, right, bottom, top.
Box = tuple[float, float, float, float]
_LINE_CLEARANCE_PX = 3.0  # half the band kept clear around a reference line


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
        self._keep_clear: list[pg.InfiniteLine] = []
        self._view.sigRangeChanged.connect(self._spread)

    def place(
        self, points: list[EndPoint], font: QFont, background: QColor,
        keep_clear: Sequence[pg.InfiniteLine] = (),
    ) -> None:  # fmt: skip
        """Show a label at each point (and none for runs not among them), on a translucent
        ``background`` so it reads over the curves it crosses, off the horizontal lines
        ``keep_clear`` and their labels."""
        self._points = points
        self._keep_clear = list(keep_clear)
        wanted = {point.run for point in points}
        for run in [run for run in self._labels if run not in wanted]:
            self._view.removeItem(self._labels.pop(run))
        for point in points:
            label = self._labels.get(point.run)
            if label is None:
                label = pg.TextItem(anchor=(0.0, 0.5))  # starts just right of the curve's end
                label.setZValue(4)
                # Not counted for the auto range: names pushed below one another would
                # widen the range, which would push them further apart, and so on.
                self._view.addItem(label, ignoreBounds=True)
                self._labels[point.run] = label
            label.setText(f" {point.name}", color=point.colour)
            label.setFont(font)
            label.fill = pg.mkBrush(background)
        self._spread()

    def texts(self) -> dict[int, str]:
        return {run: label.textItem.toPlainText().strip() for run, label in self._labels.items()}

    def _spread(self, *_unused: object) -> None:
        """Labels at their curves' ends, moved apart where two would overlap on screen (in the
        curves' order from the top), kept inside the view, and off the reference lines."""
        if not self._points:
            return
        view = self._view
        pixel_width, pixel_height = view.viewPixelSize()  # data units per pixel
        spacing = 1.2 * max(
            (label.boundingRect().height() for label in self._labels.values()), default=0.0
        )
        (left, right), (bottom, top) = view.viewRange()
        step, near = spacing * pixel_height, 0.15 * (right - left)
        names: list[_Name] = []
        for point in sorted(self._points, key=lambda point: -point.y):
            label = self._labels[point.run]
            # Right of the curve's end; above and left of it where the plot's edge is near
            # (the longest run's end is at the edge: its name would be cut off there).
            anchor = (1.0, 1.0) if point.x > left + 0.8 * (right - left) else (0.0, 0.5)
            label.setAnchor(anchor)
            size = label.boundingRect()
            name = _Name(point.x, point.y, label, anchor,
                         (size.width() * pixel_width, size.height() * pixel_height))  # fmt: skip
            for other in names:
                if abs(other.x - name.x) < near and abs(other.y - name.y) < step:
                    name.y = other.y - step  # just below the one above
            names.append(name)
        # Names pushed out of the view at the bottom lift those above them with them: they
        # stay in the curves' order.
        out = [max(bottom - name.bottom(), 0.0) for name in names]
        for index, name in enumerate(names):
            name.y += max(lift for other, lift in zip(names[index:], out[index:])
                          if abs(other.x - name.x) < near)  # fmt: skip
        obstacles = self._obstacles((left, right, bottom, top), pixel_width, pixel_height)
        for name in names:
            name.y = _clear_of(obstacles, name.x, name.y, name.anchor, name.extent,
                               (bottom, top), pixel_height)  # fmt: skip
            name.label.setPos(name.x, name.y)
            # The next names keep clear of this one too: moved off a reference line, a name
            # could land on the name placed just above it.
            name_left = name.x - name.anchor[0] * name.extent[0]
            obstacles.append((name_left, name_left + name.extent[0], name.bottom(),
                              name.bottom() + name.extent[1]))  # fmt: skip

    def _obstacles(self, view: Box, pixel_width: float, pixel_height: float) -> list[Box]:
        """What the names keep clear of: each visible reference line in view, and its label
        where ``StepPlot._add_line`` puts it (at the right end, on the side of the line with
        more of the view: below it in the view's upper half)."""
        left, right, bottom, top = view
        clearance = _LINE_CLEARANCE_PX * pixel_height
        boxes: list[Box] = []
        for line in self._keep_clear:
            value = float(line.value())
            if line.angle != 0 or not line.isVisible() or not bottom <= value <= top:
                continue
            boxes.append((left, right, value - clearance, value + clearance))
            size = line.label.boundingRect()
            end = left + line.label.orthoPos * (right - left)
            height = size.height() * pixel_height
            low, high = (value - height, value) if value > (bottom + top) / 2 else (
                value, value + height
            )  # fmt: skip
            boxes.append((end - size.width() * pixel_width, end, low - clearance, high + clearance))
        return boxes


def _clear_of(
    obstacles: list[Box], x: float, y: float, anchor: tuple[float, float],
    extent: tuple[float, float], span: tuple[float, float], pixel_height: float,
) -> float:  # fmt: skip
    """The y nearest ``y`` at which a label anchored at (x, y) overlaps none of the obstacles
    (within a few passes: moving off one may move it onto another), preferring places inside
    the view's vertical ``span``."""
    width, height = extent
    gap = 2.0 * pixel_height
    for _ in range(3):
        moved = False
        left = x - anchor[0] * width
        for box_left, box_right, box_bottom, box_top in obstacles:
            bottom = y - (1.0 - anchor[1]) * height  # the anchor's share of the label is below
            if left >= box_right or left + width <= box_left:
                continue
            if bottom >= box_top or bottom + height <= box_bottom:
                continue
            above = y + (box_top + gap - bottom)
            below = y - (bottom + height - (box_bottom - gap))
            inside = [
                candidate for candidate in (above, below)
                if span[0] <= candidate - (1.0 - anchor[1]) * height
                and candidate - (1.0 - anchor[1]) * height + height <= span[1]
            ]  # fmt: skip
            y = min(inside or [above, below], key=lambda candidate: abs(candidate - y))
            moved = True
        if not moved:
            break
    return y
