"""A colour scale for the text views: a title over or beside a horizontal bar with its numbers."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from rnnlab.gui.widgets.style import base_point_size, scaled_font


class ColourLegend(QWidget):
    """A title (wrapped when long) over or ``beside`` a horizontal colour bar with its numbers
    under it (beside: lower, for views whose content needs the height)."""

    def __init__(self, beside: bool = False) -> None:
        super().__init__()
        self._base_point_size = base_point_size()
        self.title = QLabel(wordWrap=True)
        self.bar = _ColourBar()
        layout = QHBoxLayout(self) if beside else QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title, stretch=3)
        layout.addWidget(self.bar, stretch=2)
        self.set_font_scale(1.0)

    def set_scale(self, colour_map: pg.ColorMap, low: float, high: float,
                  ticks: Sequence[float], title: str) -> None:  # fmt: skip
        self.title.setText(title)
        self.bar.colour_map, self.bar.low, self.bar.high = colour_map, float(low), float(high)
        self.bar.ticks = tuple(ticks)
        self.bar.update()

    def clear(self) -> None:
        self.title.clear()
        self.bar.colour_map = None
        self.bar.update()

    def set_font_scale(self, scale: float) -> None:
        font = scaled_font(self.font(), self._base_point_size * max(0.5, float(scale)))
        self.title.setFont(font)
        self.bar.setFont(font)
        self.bar.setFixedHeight(round(12 * scale) + QFontMetrics(font).height() + 6)


class _ColourBar(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.colour_map: pg.ColorMap | None = None
        self.low, self.high, self.ticks = 0.0, 1.0, ()

    def paintEvent(self, event) -> None:
        if self.colour_map is None:
            return
        painter = QPainter(self)
        metrics = QFontMetrics(self.font())
        labels = [tick_text(value) for value in self.ticks]
        half = max((metrics.horizontalAdvance(label) for label in labels), default=0) // 2 + 2
        left, right = half, max(half + 10, self.width() - half)
        bar = QRect(left, 2, right - left, self.height() - metrics.height() - 6)
        painter.fillRect(bar, self.colour_map.getGradient(QPointF(left, 0), QPointF(right, 0)))
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.WindowText), 1))
        painter.drawRect(bar.adjusted(0, 0, -1, -1))
        step = 1  # every other tick while their numbers would overlap (ticks are even)
        while step < len(labels) - 1 and step * bar.width() < (len(labels) - 1) * (2 * half + 6):
            step *= 2
        for value, label in list(zip(self.ticks, labels))[::step]:
            x = left + round((value - self.low) / ((self.high - self.low) or 1.0) * bar.width())
            x = min(x, right - 1)
            painter.drawLine(x, bar.bottom(), x, bar.bottom() + 3)
            box = QRect(x - half, bar.bottom() + 4, 2 * half, metrics.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


def tick_text(value: float) -> str:
    """Two significant digits, no exponents: a colour scale is not read more closely."""
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.2g}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")
