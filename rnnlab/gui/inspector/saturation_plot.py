"""Saturation plot (Karpathy, Johnson and Fei-Fei 2015, "Visualizing and Understanding Recurrent
Networks", fig. 3): for each bounded gate of one layer, one dot per unit at (the share of
positions where it sits at its low end, the share where it sits at its high end).

A dot near (0, 0) works in the gate's middle range; near the top left it is nearly always open
(a forget gate that remembers); near the bottom right nearly always closed; on the line
x + y = 1 it is always at one end or the other, a switch. Unbounded values have no ends and are
left out.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QFontMetricsF, QPalette

from rnnlab.core.cell_names import GATE_NAMES, MEANINGS, value_range
from rnnlab.core.probe_result import Inspection
from rnnlab.gui.inspector.heatmap_parts import InspectorCanvas, short_title
from rnnlab.gui.widgets.style import role_colour
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

# (low, high) thresholds per value range: a unit below low is left-saturated, above high
# right-saturated. Karpathy et al. use 0.1 and 0.9 for sigmoid gates; tanh's ends are at ±1.
SATURATION_THRESHOLDS: dict[str, tuple[float, float]] = {
    "sigmoid": (0.1, 0.9),
    "tanh": (-0.9, 0.9),
}
STATUS_HINT = "One dot per unit: hover one to read it."
# Labels at the ends only, an unlabelled tick in the middle: small panels, large fonts.
_TICKS = [[(0.0, "0"), (1.0, "1")], [(0.5, "")]]


def saturating_gates(cell: str) -> tuple[str, ...]:
    """The gates and states of ``cell`` that have ends to saturate at, in display order."""
    return tuple(n for n in GATE_NAMES[cell] if value_range(cell, n) in SATURATION_THRESHOLDS)


def saturation_fractions(
    values: np.ndarray, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    """For values (T positions, H units): the share of positions where each unit is below
    ``low`` and the share where it is above ``high``, each (H,). NaN counts as neither."""
    values = np.asarray(values)
    if values.shape[0] == 0:
        return np.zeros(values.shape[1]), np.zeros(values.shape[1])
    return (values < low).mean(axis=0), (values > high).mean(axis=0)


def _threshold_text(value: float) -> str:
    return f"{value:g}".replace("-", "−")  # a real minus sign: a hyphen reads as a dash


class _Panel:
    """One gate's scatter: dots, the line x + y = 1, thresholds on the axis labels."""

    def __init__(self, cell: str, name: str) -> None:
        self.name = name
        self.low, self.high = SATURATION_THRESHOLDS[value_range(cell, name)]
        self.plot = pg.PlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.06)
        meaning = MEANINGS[cell][name]
        self.plot.setToolTip(
            f"{name}: {meaning}\nOne dot per unit. x: the share of positions where it is below "
            f"{_threshold_text(self.low)}, y: above {_threshold_text(self.high)}.\n"
            "Dots on the line x + y = 1 are always at one end or the other: a switch."
        )
        self.line = pg.PlotCurveItem([0.0, 1.0], [1.0, 0.0])
        self.plot.addItem(self.line)
        self.dots = pg.ScatterPlotItem(hoverable=True, tip=self._tip)
        self.plot.addItem(self.dots)
        self.left = self.right = np.zeros(0)

    def _tip(self, x: float, y: float, data: int) -> str:
        return f"unit {data}\nbelow {_threshold_text(self.low)}: {x:.0%}\nabove: {y:.0%}"


class SaturationPlot(InspectorCanvas):
    """Small multiples of saturation scatters, one panel per bounded gate of one layer."""

    def __init__(self) -> None:
        super().__init__("saturationPlot", STATUS_HINT)
        self._cell: str | None = None
        self._panels: dict[str, _Panel] = {}
        self._columns = 1
        self.graphics.scene().sigMouseMoved.connect(self.hover_at)
        self.clear()
        self._restyle()

    def show_inspection(self, inspection: Inspection) -> None:
        if inspection.probe.cell != self._cell:
            self._build(inspection.probe.cell)
        self._inspection = inspection
        self._update()

    def clear(self) -> None:
        self._inspection = None
        for panel in self._panels.values():
            panel.left = panel.right = np.zeros(0)
            panel.dots.setData([], [])
        self.show_hint(EMPTY_HINT)

    def export_data(self) -> dict[str, np.ndarray]:
        if self._inspection is None:
            return {}
        data: dict[str, np.ndarray] = {}
        for name, panel in self._panels.items():
            data[f"{name}_left"], data[f"{name}_right"] = panel.left.copy(), panel.right.copy()
        data["text"] = np.array(list(self._inspection.probe.inputs))
        data["layer"] = np.array(self.layer())
        data["step"] = np.array(self._inspection.step)
        return data

    def gate_names(self) -> tuple[str, ...]:
        return tuple(self._panels)

    def fractions(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(left, right) shares per unit for gate ``name``, as plotted: x and y."""
        return self._panels[name].left, self._panels[name].right

    def plot(self, name: str) -> pg.PlotItem:
        return self._panels[name].plot

    def hover_at(self, scene_position: QPointF) -> str:
        """Show (and return) the unit under a scene point in the status line."""
        for name, panel in self._panels.items():
            view = panel.plot.getViewBox()
            if self._inspection is None or not view.sceneBoundingRect().contains(scene_position):
                continue
            spots = panel.dots.pointsAt(view.mapSceneToView(scene_position))
            if len(spots) == 0:
                break
            unit = int(spots[0].data())
            others = f" (and {len(spots) - 1} more here)" if len(spots) > 1 else ""
            text = (
                f"{name} · unit {unit}{others} · below {_threshold_text(panel.low)} "
                f"{panel.left[unit]:.0%} of positions · above {_threshold_text(panel.high)} "
                f"{panel.right[unit]:.0%}"
            )
            self.status.setText(text)
            return text
        self.status.setText(STATUS_HINT)
        return ""

    def _build(self, cell: str) -> None:
        self.graphics.clear()
        self._cell = cell
        self._panels = {name: _Panel(cell, name) for name in saturating_gates(cell)}
        self._columns = self._best_columns(self.width(), self.height())
        for panel, (row, column) in zip(self._panels.values(), self._cells()):
            self.graphics.addItem(panel.plot, row, column)
        self._restyle()

    def _update(self) -> None:
        if not self._panels:
            self.show_hint(f"The {self._cell} cell has no gate with ends to saturate at.")
            return
        gates = self._inspection.probe.layers[self.layer()].gates
        for name, panel in self._panels.items():
            panel.left, panel.right = saturation_fractions(gates[name], panel.low, panel.high)
            units = np.arange(len(panel.left))
            panel.dots.setData(x=panel.left, y=panel.right, data=units)
        self.show_hint(None)

    def _restyle(self) -> None:
        super()._restyle()
        scale = self.font_scale()
        # Below this a panel's axes and title leave no room for its dots.
        self.setMinimumHeight(round(170 * scale))
        dot = role_colour(self, "raw")
        dot.setAlpha(150)  # overlapping dots show as darker
        tick = QFontMetricsF(self.scaled_font(0.9))
        room = QFontMetricsF(self.scaled_font()).height() + 8 * scale  # axis label, gaps
        for panel in self._panels.values():
            # Sized here: pyqtgraph sizes axes when first painted, after the grid was laid out.
            panel.plot.getAxis("left").setWidth(round(tick.horizontalAdvance("0") + room))
            panel.plot.getAxis("bottom").setHeight(round(tick.height() + room))
            panel.line.setPen(pg.mkPen(self.palette_colour(QPalette.ColorRole.Text, 0.3)))
            size = round(7 * scale)
            panel.dots.setSymbol("o")
            panel.dots.setSize(size)
            panel.dots.setBrush(dot)
            panel.dots.setPen(None)
            panel.dots.opts["hoverSize"] = math.ceil(size * 1.6)
        self._fit_texts(self.width(), self.height())

    def _fit_texts(self, width: float, height: float) -> None:
        """Titles ("f forget gate") and axis labels ("share < 0.1") in full where the panels
        have room, else shortened ("f", "< 0.1"): the panel's tooltip still says it all."""
        if not self._panels:
            return
        rows, columns = (max(cell) + 1 for cell in zip(*self._cells()))
        metrics = QFontMetricsF(self.scaled_font())
        across = width / columns - 3 * metrics.height()  # less the y axis
        down = height / rows - 5 * metrics.height()  # less title, x axis, status line
        text = self.palette_colour(QPalette.ColorRole.Text).name()
        for panel in self._panels.values():
            title = f"{panel.name}  {short_title(self._cell, panel.name)}"
            shown = title if metrics.horizontalAdvance(title) < across else panel.name
            shown = shown.replace(panel.name, f"<b>{panel.name}</b>", 1)
            panel.plot.setTitle(shown, color=text, size=f"{self.point_size()}pt")
            label = panel.plot.titleLabel
            label.setMinimumWidth(0)  # a long title must not push the grid past the edge
            # pyqtgraph fixes the title row at 30 px: too short at presentation sizes.
            panel.plot.layout.setRowFixedHeight(0, label.item.boundingRect().height())
            for side, sign, threshold, room in (
                ("bottom", "<", panel.low, across),
                ("left", ">", panel.high, down),
            ):
                label_text = f"share {sign} {_threshold_text(threshold)}"
                if metrics.horizontalAdvance(label_text) > room:
                    label_text = label_text.removeprefix("share ")
                self.style_axis(panel.plot.getAxis(side), label_text, 0.9)
                panel.plot.getAxis(side).setTicks(_TICKS)
                # pyqtgraph hides labels that reach past the axis' ends: "0" and "1" do.
                panel.plot.getAxis(side).setStyle(hideOverlappingLabels=False)
        # The grid grew to fit longer titles and does not shrink by itself: fit it again.
        self.graphics.ci.layout.invalidate()
        self.graphics.ci.setGeometry(QRectF(self.graphics.range))

    def _cells(self) -> list[tuple[int, int]]:
        """(row, column) of each panel, ``self._columns`` across."""
        columns = max(1, min(self._columns, len(self._panels)))
        return [(index // columns, index % columns) for index in range(len(self._panels))]

    def _best_columns(self, width: float, height: float) -> int:
        """The column count that gives the largest square panels in a width x height view:
        one row in a wide strip, more rows in a tall column."""
        count = len(self._panels)
        if count == 0:
            return 1
        return max(
            range(1, count + 1),
            key=lambda columns: min(width / columns, height / -(-count // columns)),
        )

    def _arrange(self, width: float, height: float) -> None:
        columns = self._best_columns(width, height)
        if columns == self._columns:
            return
        self._columns = columns
        for panel in self._panels.values():
            self.graphics.removeItem(panel.plot)
        for panel, (row, column) in zip(self._panels.values(), self._cells()):
            self.graphics.addItem(panel.plot, row, column)

    def resizeEvent(self, event) -> None:
        self._arrange(event.size().width(), event.size().height())
        self._fit_texts(event.size().width(), event.size().height())
        super().resizeEvent(event)
