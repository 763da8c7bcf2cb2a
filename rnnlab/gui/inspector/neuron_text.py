"""The probe text coloured by one unit of one gate or state: Karpathy's quote-detecting cell.

Beside it, the units whose activation varies most over the text, to click through. On a task
sequence, its symbols, with the positions the answer depends on in bold and outlined.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)  # fmt: skip

from rnnlab.core.cell_names import GATE_NAMES, MEANINGS, value_range
from rnnlab.gui.inspector.char_grid import vertical_scroll
from rnnlab.gui.inspector.heatmap_parts import colour_map
from rnnlab.gui.inspector.task_marks import mark_word, marked_positions, reading
from rnnlab.gui.inspector.text_view_base import TextView, quoted

TOP_UNITS = 15
NO_LIMIT = 16_777_215  # Qt's QWIDGETSIZE_MAX, which PySide6 does not export


def most_varying_units(values: np.ndarray, count: int = TOP_UNITS) -> list[tuple[int, float]]:
    """(unit, standard deviation over positions) of the ``count`` most varying units, most
    varying first. ``values``: (T, H)."""
    deviations = values.std(axis=0)
    order = np.argsort(-deviations, kind="stable")[:count]
    return [(int(unit), float(deviations[unit])) for unit in order]


def _deviation(spread: float) -> str:
    return f"{spread:.2f}" if spread >= 0.01 else f"{spread:.1g}"


class NeuronTextView(TextView):
    """The probe text coloured by one unit of one gate or state of the chosen layer."""

    unitSelected = Signal(str, int)  # the user chose a gate or unit here

    def __init__(self) -> None:
        super().__init__("neuronTextView")
        self._layer, self._gate, self._unit = 0, "h", None
        self._values = np.zeros(0, np.float32)  # (T,) the chosen unit's values
        self._top: list[tuple[int, float]] = []
        self.gate_combo = QComboBox(objectName="neuronGateCombo")
        self.gate_combo.setToolTip("Which gate or state of the layer colours the text")
        self.gate_combo.activated.connect(self._gate_chosen)  # the user's choices only
        self.unit_list = QListWidget(objectName="unitList", uniformItemSizes=True)
        self.unit_list.setToolTip("The units whose value changes most along the probe text")
        self.unit_list.currentRowChanged.connect(self._unit_chosen)
        gate_label = QLabel("Gate or state:")
        list_title = QLabel("Most varying units")
        self._scaled = [self.gate_combo, self.unit_list, gate_label, list_title]
        top = QHBoxLayout()
        top.addWidget(gate_label)
        top.addWidget(self.gate_combo)
        top.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(list_title)
        side.addWidget(self.unit_list, stretch=1)
        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._body.addWidget(vertical_scroll(self.grid), stretch=1)
        self._body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addLayout(self._body, stretch=1)
        self.grid.set_tooltip(self._tooltip)
        self.set_font_scale(1.0)
        self.clear()

    def set_layer(self, layer: int) -> None:
        self._layer = layer
        self._refresh()

    def set_unit(self, gate: str, unit: int) -> None:
        """Colour the text by ``unit`` of ``gate`` (a heatmap row clicked in another view)."""
        self._gate, self._unit = gate, unit
        self._refresh()

    def selected(self) -> tuple[str, int] | None:
        return None if self._inspection is None or self._unit is None else (self._gate, self._unit)

    def char_colours(self) -> list[QColor]:
        return [QColor(fill) for (fill,) in self.grid.fills()]

    def export_data(self) -> dict[str, np.ndarray]:
        if self._inspection is None or self._unit is None:
            return {}
        return {
            "text": np.array(list(self._inspection.probe.inputs)),
            "values": self._values.copy(),
            "gate": np.array(self._gate),
            "unit": np.array(self._unit),
            "layer": np.array(self._layer),
            "top_units": np.array([unit for unit, _ in self._top], dtype=np.int64),
            "top_unit_deviations": np.array([spread for _, spread in self._top]),
        }

    def clear(self) -> None:
        super().clear()
        self._unit, self._top, self._values = None, [], np.zeros(0, np.float32)
        self.gate_combo.clear()
        self.unit_list.blockSignals(True)
        self.unit_list.clear()
        self.unit_list.blockSignals(False)

    def set_font_scale(self, scale: float) -> None:
        super().set_font_scale(scale)
        self._arrange()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """The unit list beside the text where both fit, else under it, its entries in rows:
        a text wrapped at a dozen characters is hard to read."""
        entry = self.unit_list.fontMetrics().horizontalAdvance("unit 511  (σ 0.64)")
        width = entry + round(36 * self._font_scale)  # and a scroll bar
        beside = self.width() - width >= 28 * self.grid.cell_size().width()
        self._body.setDirection(QBoxLayout.Direction.LeftToRight if beside else
                                QBoxLayout.Direction.TopToBottom)  # fmt: skip
        self.unit_list.setFlow(QListView.Flow.TopToBottom if beside else QListView.Flow.LeftToRight)
        self.unit_list.setWrapping(not beside)
        spacing = 0 if beside else round(3 * self._font_scale)  # entries side by side
        self.unit_list.setSpacing(spacing)
        if beside:
            self.unit_list.setFixedWidth(width)
            self.unit_list.setMaximumHeight(NO_LIMIT)
        else:
            self.unit_list.setMinimumWidth(0)
            self.unit_list.setMaximumWidth(NO_LIMIT)
            rows = 3.5 * (self.unit_list.fontMetrics().height() + 2 * spacing)
            self.unit_list.setFixedHeight(round(rows))

    def _gate_chosen(self, index: int) -> None:
        self._gate, self._unit = self.gate_combo.itemData(index), None  # its most varying unit
        self._render()
        self.unitSelected.emit(self._gate, self._unit)

    def _unit_chosen(self, row: int) -> None:
        if 0 <= row < len(self._top) and self._inspection is not None:
            self._unit = self._top[row][0]
            self._render()
            self.unitSelected.emit(self._gate, self._unit)

    def _sync_gates(self, cell: str) -> None:
        """Offer the cell's gates; after a change of cell type, keep the gate if it has one."""
        names = GATE_NAMES[cell]
        if [self.gate_combo.itemData(i) for i in range(self.gate_combo.count())] != list(names):
            self.gate_combo.clear()
            for name in names:
                self.gate_combo.addItem(f"{name} ({value_range(cell, name)})", name)
                index = self.gate_combo.count() - 1
                self.gate_combo.setItemData(
                    index, MEANINGS[cell][name], Qt.ItemDataRole.ToolTipRole
                )
        if self._gate not in names:
            self._gate, self._unit = "h", None
        self.gate_combo.setCurrentIndex(names.index(self._gate))

    def _render(self) -> None:
        probe = self._inspection.probe
        self._sync_gates(probe.cell)
        self._layer = min(max(self._layer, 0), len(probe.layers) - 1)
        values = probe.layers[self._layer].gates[self._gate]  # (T, H)
        self._top = most_varying_units(values)
        if self._unit is None or not 0 <= self._unit < values.shape[1]:
            self._unit = self._top[0][0]  # a new model or a smaller one
        self._values = np.asarray(values[:, self._unit], dtype=np.float32)
        self._show_list()
        colour_map, low, high, ticks, note = self._scale()
        normalised = np.clip((self._values - low) / (high - low), 0.0, 1.0)
        self.grid.show_text(probe.inputs, colour_map.map(normalised, mode="qcolor"))
        # Dark and light rings (no colour of their own): they show on every colour of the map.
        self.grid.set_marks([(position, 0) for position in marked_positions(probe)])
        title = f"layer {self._layer + 1} · {self._gate}, unit {self._unit} · {note}"
        if probe.task:
            title += f" · in rings: the {mark_word(probe.task)} positions"
        self.legend.set_scale(colour_map, low, high, ticks, title)
        self.legend.setToolTip(MEANINGS[probe.cell][self._gate])

    def _scale(self) -> tuple[pg.ColorMap, float, float, tuple[float, ...], str]:
        """Colour map (the heatmaps'), levels, legend ticks and a note on how the levels were
        chosen."""
        kind = value_range(self._inspection.probe.cell, self._gate)
        if kind == "sigmoid":
            return colour_map(kind), 0.0, 1.0, (0.0, 0.5, 1.0), "0 … 1 (sigmoid)"
        if kind == "tanh":
            ticks = (-1.0, -0.5, 0.0, 0.5, 1.0)
            return colour_map(kind), -1.0, 1.0, ticks, "−1 … 1 (tanh), white at 0"
        largest = float(np.abs(self._values).max(initial=0.0)) or 1.0
        if kind == "relu":
            note = "0 … this unit's largest value (relu)"
            return colour_map(kind), 0.0, largest, (0.0, largest / 2, largest), note
        note = "± this unit's largest |value| (unbounded), white at 0"
        ticks = (-largest, 0.0, largest)
        return colour_map(kind), -largest, largest, ticks, note

    def _show_list(self) -> None:
        """Reuse the items: rebuilding them several times a second would flicker."""
        self.unit_list.blockSignals(True)
        while self.unit_list.count() > len(self._top):
            self.unit_list.takeItem(self.unit_list.count() - 1)
        while self.unit_list.count() < len(self._top):
            self.unit_list.addItem(QListWidgetItem())
        selected = -1
        for row, (unit, spread) in enumerate(self._top):
            item = self.unit_list.item(row)
            item.setText(f"unit {unit}  (σ {_deviation(spread)})")
            item.setToolTip(f"{self._gate}, unit {unit}: its value varies by σ {spread:.3g} along"
                            " the probe text. Click to colour the text by it.")  # fmt: skip
            selected = row if unit == self._unit else selected
        self.unit_list.setCurrentRow(selected)
        self.unit_list.blockSignals(False)

    def _tooltip(self, position: int, row: int) -> str:
        probe = self._inspection.probe
        read = reading(probe, position) if probe.task else quoted(probe.inputs[position])
        return "\n".join((
            f"position {position}: {read}",
            f"{self._gate}, unit {self._unit}: {self._values[position]:.3f}",
            MEANINGS[probe.cell][self._gate],
        ))  # fmt: skip
