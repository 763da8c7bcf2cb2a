"""Gate and state heatmaps of one layer: one heatmap per gate or state of the cell (LSTM i, f,
g, o, c, h), units down, probe positions across, labelled with the characters read. On a task
sequence, the symbols read, and the positions the answer depends on outlined (``gate_row``).

Colours have fixed levels, so a colour means the same value from one inspection to the next:
0..1 for sigmoid gates, -1..1 for tanh values, and for unbounded ones (an LSTM's cell state) a
round bound (1, 2, 5, 10, ...) that only grows until the model is reset. The items are made once
per cell type and hidden size; a new inspection only sets new images.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QPalette

from rnnlab.core.cell_names import GATE_NAMES, value_range
from rnnlab.core.probe_result import Inspection
from rnnlab.gui.inspector.gate_row import COLOUR_BAR_WIDTH, GateRow
from rnnlab.gui.inspector.heatmap_parts import (
    CharAxis,
    InspectorCanvas,
    colour_levels,
    largest_magnitude,
    short_title,
    wrapped,
)
from rnnlab.gui.inspector.task_marks import marked_positions, reading, symbol_meaning
from rnnlab.gui.widgets.style import shown_token
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

STATUS_HINT = (
    "Hover a heatmap to read a value; click a row to follow that unit. Unit 0 is at the top."
)
POSITIONS_TITLE = "character read at each position"


class GateView(InspectorCanvas):
    """Heatmaps of every gate and state of one layer, x (positions) and y (units) linked."""

    unitClicked = Signal(str, int)  # gate name, unit

    def __init__(self) -> None:
        super().__init__("gateView", STATUS_HINT)
        self._cell: str | None = None
        self._hidden = 0
        self._rows: dict[str, GateRow] = {}
        self._char_axis: CharAxis | None = None
        self._largest: dict[tuple[int, str], float] = {}  # (layer, gate) -> largest |value|
        self._selected: tuple[str, int] | None = None
        self._axis_title = POSITIONS_TITLE
        scene = self.graphics.scene()
        scene.sigMouseMoved.connect(self.hover_at)
        scene.sigMouseClicked.connect(self._clicked)
        self.clear()
        self._restyle()

    # The protocol every inspector view follows.

    def show_inspection(self, inspection: Inspection) -> None:
        probe = inspection.probe
        hidden = probe.layers[0].gates[GATE_NAMES[probe.cell][0]].shape[1]
        if (probe.cell, hidden) != (self._cell, self._hidden):
            self._build(probe.cell, hidden)
        self._inspection = inspection
        for layer, layer_probe in enumerate(probe.layers):
            for name, values in layer_probe.gates.items():
                if value_range(probe.cell, name) in ("relu", "unbounded"):
                    key = (layer, name)
                    self._largest[key] = max(self._largest.get(key, 0.0), largest_magnitude(values))
        self._update()

    def clear(self) -> None:
        self._inspection = None
        self._largest.clear()
        self._selected = None
        for row in self._rows.values():
            row.mark(None)
            row.values = np.zeros((0, 0), np.float32)
            row.image.clear()
        self.show_hint(EMPTY_HINT)

    def export_data(self) -> dict[str, np.ndarray]:
        if self._inspection is None:
            return {}
        data = {name: row.values.copy() for name, row in self._rows.items()}
        data["text"] = np.array(list(self._inspection.probe.inputs))  # read at each position
        if self._inspection.probe.marks is not None:  # a task: what the answer depends on
            data["marked"] = np.asarray(self._inspection.probe.marks, dtype=bool).copy()
        data["layer"] = np.array(self.layer())
        data["step"] = np.array(self._inspection.step)
        return data

    # What tests and the window read.

    def gate_names(self) -> tuple[str, ...]:
        return tuple(self._rows)

    def heatmap(self, name: str) -> np.ndarray:
        """The values shown for gate ``name``: (units, positions)."""
        return self._rows[name].values

    def levels(self, name: str) -> tuple[float, float]:
        low, high = self._rows[name].bar.levels()
        return float(low), float(high)

    def selected_unit(self) -> tuple[str, int] | None:
        return self._selected

    def outlined(self, name: str) -> list[int]:
        """The positions outlined in gate ``name``'s heatmap: a task's marked ones."""
        return list(self._rows[name].marks.positions)

    def view(self, name: str) -> pg.ViewBox:
        """The view box of gate ``name``'s heatmap (data coordinates: x position, y unit)."""
        return self._rows[name].view

    # Hover and click.

    def cell_at(self, scene_position: QPointF) -> tuple[str, int, int] | None:
        """(gate, unit, position) under a point of the scene, None outside the heatmaps."""
        if self._inspection is None:
            return None
        for name, row in self._rows.items():
            view = row.view
            if not view.sceneBoundingRect().contains(scene_position):
                continue
            point = view.mapSceneToView(scene_position)
            unit, position = round(point.y()), round(point.x())
            units, positions = row.values.shape
            if 0 <= unit < units and 0 <= position < positions:
                return name, unit, position
        return None

    def hover_at(self, scene_position: QPointF) -> str:
        """Show (and return) the value under a scene point in the status line."""
        found = self.cell_at(scene_position)
        if found is None:
            self.status.setText(STATUS_HINT)
            return ""
        name, unit, position = found
        probe = self._inspection.probe
        char = shown_token(probe.inputs[position], 12)
        read = f"'{char}'" if not probe.task else reading(probe, position).removeprefix("reading ")
        text = f"{name} · unit {unit} · {read} (position {position}) · "
        text += f"{self._rows[name].values[unit, position]:.3f}"
        self.status.setText(text)
        return text

    def select_unit(self, name: str, unit: int) -> None:
        """Mark ``unit`` across every heatmap and say so (unitClicked)."""
        self._selected = (name, unit)
        for row in self._rows.values():
            row.mark(unit)
        self.unitClicked.emit(name, unit)

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        found = self.cell_at(event.scenePos())
        if found is not None:
            self.select_unit(found[0], found[1])

    # Building and updating.

    def _build(self, cell: str, hidden: int) -> None:
        """New items for a new cell type or hidden size: other gates, other shapes."""
        self.graphics.clear()
        self._cell, self._hidden = cell, hidden
        self._largest.clear()
        self._selected = None
        names = GATE_NAMES[cell]
        self._char_axis = CharAxis("bottom")
        self._rows = {}
        for index, name in enumerate(names):
            row = GateRow(cell, name)
            self.graphics.addItem(row.label, index, 0)
            self.graphics.addItem(row.axis, index, 1)
            self.graphics.addItem(row.view, index, 2)
            self.graphics.addItem(row.bar, index, 3)
            if self._rows:
                first = next(iter(self._rows.values())).view
                row.view.setXLink(first)  # zoom and pan move every heatmap together
                row.view.setYLink(first)  # the same units everywhere
            self._rows[name] = row
        self._char_axis.linkToView(row.view)
        self.graphics.addItem(self._char_axis, len(names), 2)
        self._restyle()

    def _update(self) -> None:
        probe = self._inspection.probe
        layer = self.layer()
        positions = probe.positions
        for name, row in self._rows.items():
            values = np.ascontiguousarray(probe.layers[layer].gates[name].T)  # (units, positions)
            reshaped = values.shape != row.values.shape
            row.values = values
            row.image.setImage(values, autoLevels=False)
            row.set_levels(colour_levels(row.range, self._largest.get((layer, name), 0.0)))
            if reshaped:
                row.image.setRect(QRectF(-0.5, -0.5, positions, self._hidden))
                row.view.setLimits(
                    xMin=-0.5, xMax=positions - 0.5, yMin=-0.5, yMax=self._hidden - 0.5
                )
                row.view.autoRange(padding=0.0)
            row.marks.show(marked_positions(probe), self._hidden)
        self._char_axis.set_text(probe.inputs, marked_positions(probe))
        title = "token read at each position" if probe.tokens else POSITIONS_TITLE
        if probe.task:
            title = f"{symbol_meaning(probe)}; outlined: what the answer depends on"
        if title != self._axis_title:  # from a text to a task or back
            self._axis_title = title
            self._restyle()
            self._char_axis.resizeEvent(None)  # centres the new label: the size stays the same
        self.show_hint(None)

    def _restyle(self) -> None:
        super()._restyle()
        if not self._rows:
            return
        text = self.palette_colour(QPalette.ColorRole.Text)
        scale = self.font_scale()
        label_font = self.scaled_font()
        metrics = QFontMetricsF(label_font)
        label_width = 0.0
        for row in self._rows.values():
            lines = wrapped(short_title(self._cell, row.name), 12)
            label_width = max(label_width, *(metrics.horizontalAdvance(line) for line in lines))
            small = f"<span style='font-size:{self.point_size()}pt'>{'<br>'.join(lines)}</span>"
            row.label.setText(
                f"<b>{row.name}</b><br>{small}", color=text.name(), size=f"{self.point_size(1.3)}pt"
            )
            self.style_axis(row.axis, "unit")
            row.axis.setWidth(int(metrics.horizontalAdvance("000") + 1.6 * metrics.height()))
            row.line.setPen(pg.mkPen("#000000", width=1.5 * scale, style=Qt.PenStyle.DashLine))
            row.halo.setPen(pg.mkPen("#ffffff", width=3.5 * scale))
            row.marks.restyle(scale)
            self.style_axis(row.bar.axis)
            row.bar.axis.setStyle(hideOverlappingLabels=False)  # the ends are the scale
            row.bar.axis.setWidth(int(metrics.horizontalAdvance("-0.00") + 10 * scale))
            row.bar.layout.setColumnFixedWidth(1, COLOUR_BAR_WIDTH * scale)
            for side in ("left", "top", "bottom"):
                row.bar.getAxis(side).setPen(
                    pg.mkPen(self.palette_colour(QPalette.ColorRole.Text, 0.6))
                )
        self.graphics.ci.layout.setColumnFixedWidth(0, label_width + 8 * scale)
        # The bars' end labels reach half a line beyond their rows: keep them apart.
        self.graphics.ci.layout.setVerticalSpacing(metrics.height() * 0.7)
        axis = self._char_axis
        self.style_axis(axis, self._axis_title, factor=1.15)
        axis.setStyle(hideOverlappingLabels=False)  # position 0 reaches past the axis' end
        tick_height = QFontMetricsF(axis.style["tickFont"]).height()
        # pyqtgraph sizes the axis to the text's ascent: "␣" sits below the baseline and was cut.
        axis.setHeight(int(tick_height * 1.2 + metrics.height() * 1.2 + 4 * scale))
        # Room above the first row for the end labels of its axis and colour bar.
        self.graphics.ci.setContentsMargins(2, metrics.height() * 0.6, 2, 2)
