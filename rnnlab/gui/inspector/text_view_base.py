"""What the inspector's text views share: a character grid with a colour legend, fonts that
follow presentation mode, repainting on a palette change, and the last inspection."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QWidget,
)  # fmt: skip

from rnnlab.core.probe_result import Inspection
from rnnlab.gui.inspector.char_grid import CharGrid
from rnnlab.gui.inspector.colour_legend import ColourLegend
from rnnlab.gui.widgets.style import base_point_size, role_colour, scaled_font, shown_token
from rnnlab.gui.widgets.view_frame import EMPTY_HINT


def quoted(char: str) -> str:
    """A character, or a word or BPE token (whole, up to 24 characters), in quotes."""
    return f"'{shown_token(char, 24)}'"


def sequential_map(widget: QWidget) -> pg.ColorMap:
    """From the background to the chart blue: zero blends in, in a light or a dark palette."""
    base = widget.palette().color(QPalette.ColorRole.Base)
    return pg.ColorMap([0.0, 1.0], [base, role_colour(widget, "raw")])


class TextView(QWidget):
    """What the three views share: a character grid, fonts that follow the scale, repaint on a
    palette change, and the last inspection."""

    def __init__(self, name: str, legend_beside: bool = False) -> None:
        super().__init__()
        self.setObjectName(name)
        self._base_point_size = base_point_size()
        self._font_scale = 1.0
        self._inspection: Inspection | None = None
        self.grid = CharGrid()
        self.legend = ColourLegend(beside=legend_beside)
        self._scaled: list[QWidget] = []  # interface widgets whose font follows the scale

    def set_font_scale(self, scale: float) -> None:
        self._font_scale = max(0.5, float(scale))
        font = scaled_font(self.font(), self._base_point_size * self._font_scale)
        for widget in self._scaled:
            widget.setFont(font)
        self.grid.set_font_scale(self._font_scale)
        self.legend.set_font_scale(self._font_scale)

    def show_inspection(self, inspection: Inspection) -> None:
        self._inspection = inspection
        self._render()

    def _refresh(self) -> None:
        if self._inspection is not None:
            self._render()

    def clear(self) -> None:
        self._inspection = None
        self.grid.clear(EMPTY_HINT)
        self.legend.clear()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Qt sends it during construction too, before there is anything to colour.
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "_inspection", None):
            self._render()  # the colours blend with the background

    def _render(self) -> None:
        raise NotImplementedError
