"""One gate's heatmap in the gate view (``gate_view``), and the outlines that mark a task
sequence's marked positions on it: whole columns, since the answer depends on every unit's value
there."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from rnnlab.core.cell_names import MEANINGS, value_range
from rnnlab.gui.inspector.heatmap_parts import colour_levels, colour_map

COLOUR_BAR_WIDTH = 14  # pixels, before the font scale


class ColumnMarks:
    """Outlines around whole columns of a heatmap: a dark line over a light halo, visible on
    every colour of every map (and without telling colours apart)."""

    def __init__(self, view: pg.ViewBox) -> None:
        # One item per tone, each rectangle four segments (connect="pairs"): any number of
        # marks costs two items.
        self._halo, self._line = (pg.PlotCurveItem(connect="pairs") for _ in range(2))
        for depth, item in enumerate((self._halo, self._line)):
            item.setZValue(8 + depth)  # under the selected unit's line
            view.addItem(item, ignoreBounds=True)
        self.positions: list[int] = []

    def show(self, positions: np.ndarray, rows: int) -> None:
        """Outline the columns at ``positions`` over ``rows`` rows (none: hide)."""
        self.positions = [int(position) for position in positions]
        xs, ys = [], []
        top, bottom = -0.5, rows - 0.5
        for position in self.positions:
            left, right = position - 0.5, position + 0.5
            xs += [left, left, right, right, left, right, left, right]
            ys += [top, bottom, top, bottom, top, top, bottom, bottom]
        for item in (self._halo, self._line):
            item.setData(x=np.array(xs, float), y=np.array(ys, float))

    def restyle(self, scale: float) -> None:
        # Thin: the values inside the outlined columns are what the class looks at.
        self._halo.setPen(pg.mkPen("#ffffff", width=3.0 * scale))
        self._line.setPen(pg.mkPen("#000000", width=1.5 * scale))


class GateRow:
    """The items of one gate's heatmap: name label, unit axis, view with the image and the
    selection line, colour bar. A bare ViewBox rather than a PlotItem, so that the character
    axis below the last row lines up with every view."""

    def __init__(self, cell: str, name: str) -> None:
        self.name, self.range = name, value_range(cell, name)
        meaning = MEANINGS[cell][name]
        self.label = pg.LabelItem(justify="left")
        self.label.setToolTip(meaning)
        self.view = pg.ViewBox(invertY=True)  # unit 0 at the top, as in the exported array
        self.view.setMenuEnabled(False)
        self.view.setDefaultPadding(0.0)
        self.axis = pg.AxisItem("left")
        self.axis.linkToView(self.view)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setToolTip(meaning)  # shows after a pause on the heatmap: what a value means
        self.view.addItem(self.image)
        # The selected unit: a dashed line over a light halo, visible on every colour of a map.
        self.halo, self.line = (pg.InfiniteLine(angle=0, movable=False) for _ in range(2))
        for depth, line in enumerate((self.halo, self.line)):
            line.setZValue(10 + depth)
            line.hide()
            self.view.addItem(line)
        self.bar = pg.ColorBarItem(
            values=colour_levels(self.range, 0.0),
            colorMap=colour_map(self.range),
            interactive=False,
            colorMapMenu=False,
            width=COLOUR_BAR_WIDTH,
        )
        self.bar.setImageItem(self.image)
        self._label_bar()
        self.marks = ColumnMarks(self.view)
        self.values = np.zeros((0, 0), np.float32)  # (units, positions) as shown

    def mark(self, unit: int | None) -> None:
        for line in (self.halo, self.line):
            line.setVisible(unit is not None)
            if unit is not None:
                line.setValue(unit)

    def set_levels(self, levels: tuple[float, float]) -> None:
        if levels != tuple(self.bar.levels()):
            self.bar.setLevels(levels)
            self._label_bar()

    def _label_bar(self) -> None:
        """Ticks at the bar's ends and middle: more would overlap in a short row."""
        low, high = self.bar.levels()
        ticks = (low, (low + high) / 2, high)
        self.bar.axis.setTicks([[(tick, f"{tick:g}".replace("-", "−")) for tick in ticks], []])
