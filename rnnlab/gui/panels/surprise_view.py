"""What the surprise panel draws: a text with each character on the colour of its surprise, and
the colour scale.

The scale is sequential and of one hue family that grows away from the background, so it reads
by lightness alone (safe for colour-blind eyes) and what the model expected blends in: on a light
palette from the background through yellow to dark red (ColorBrewer YlOrRd), on a dark one from
the background through brown to light orange (Oranges, reversed), where the brightest is the most
surprising. It spans 0 to twice ln V nats: a blind guess among V characters sits in the middle.

The text is a read-only QTextEdit: Qt lays out, wraps and scales it, selection and copying work,
and each character carries its colours in its format.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QSizePolicy, QTextEdit, QToolTip, QWidget

from rnnlab.gui.widgets.style import contrast_ink, is_dark

LINES_SHOWN = (2, 10)  # the text's box fits its lines, between these: no empty box, no long one
LIGHT_STOPS = ("#ffeda0", "#feb24c", "#f03b20", "#bd0026")  # after the background: YlOrRd
DARK_STOPS = ("#7f2704", "#d94801", "#fd8d3c", "#fdd0a2")  # Oranges, dark to light


def scale_top(vocabulary_size: int) -> float:
    """The top of the colour scale in nats: twice a blind guess's ln V (at least ln 4)."""
    return 2.0 * math.log(max(vocabulary_size, 2))


def colour_stops(widget: QWidget) -> list[QColor]:
    """The scale's colours for the widget's palette, evenly spaced from 0 to the top."""
    base = widget.palette().color(QPalette.ColorRole.Base)
    return [base, *(QColor(name) for name in (DARK_STOPS if is_dark(widget) else LIGHT_STOPS))]


def colour_at(stops: Sequence[QColor], fraction: float) -> QColor:
    """The colour at ``fraction`` (clipped to 0..1) of a scale of evenly spaced stops."""
    where = min(max(fraction, 0.0), 1.0) * (len(stops) - 1)
    index = min(int(where), len(stops) - 2)
    share = where - index
    low, high = stops[index].getRgbF()[:3], stops[index + 1].getRgbF()[:3]
    return QColor.fromRgbF(*(a + (b - a) * share for a, b in zip(low, high)))


class SurpriseLegend(QWidget):
    """The colour bar under its title, with ticks at 0, ln V ("guess") and the top."""

    def __init__(self) -> None:
        super().__init__()
        self._stops: list[QColor] = []
        self._ticks: list[tuple[float, str]] = []  # (fraction of the bar, label)
        self._title = ""

    def set_scale(self, stops: Sequence[QColor], ticks: Sequence[tuple[float, str]], title: str):
        self._stops, self._ticks, self._title = list(stops), list(ticks), title
        self.updateGeometry()
        self.update()

    def ticks(self) -> list[tuple[float, str]]:
        return list(self._ticks)

    def sizeHint(self):
        size = super().sizeHint()
        size.setHeight(self._height())
        return size

    def minimumSizeHint(self):
        return self.sizeHint()

    def _height(self) -> int:
        line = QFontMetrics(self.font()).height()
        return 3 * line + 8  # the title, the bar (one line high), the tick labels

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode: taller
            self.setFixedHeight(self._height())

    def paintEvent(self, event) -> None:
        if not self._stops:
            return
        painter = QPainter(self)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(ink)
        painter.drawText(QRect(0, 0, self.width(), line), Qt.AlignmentFlag.AlignLeft, self._title)
        half = max((metrics.horizontalAdvance(label) for _, label in self._ticks), default=0) // 2
        left, right = half + 2, max(half + 12, self.width() - half - 2)
        bar = QRect(left, line + 2, right - left, line)
        gradient = QLinearGradient(QPointF(left, 0), QPointF(right, 0))
        for index, colour in enumerate(self._stops):
            gradient.setColorAt(index / (len(self._stops) - 1), colour)
        painter.fillRect(bar, gradient)
        painter.setPen(QPen(ink, 1))
        painter.drawRect(bar.adjusted(0, 0, -1, -1))
        for fraction, label in self._ticks:
            x = left + round(fraction * (bar.width() - 1))
            painter.drawLine(x, bar.bottom(), x, bar.bottom() + 3)
            box = QRect(x - half - 2, bar.bottom() + 4, 2 * half + 4, line)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


class SurpriseText(QTextEdit):
    """The text, one format per character: its fill, an ink that reads on it, bold for the most
    surprising, a dotted underline for characters the model cannot score; a tooltip each."""

    def __init__(self) -> None:
        super().__init__(readOnly=True)
        self._fills: list[QColor | None] = []
        self._tips: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)

    def show_characters(self, text: str, fills: Sequence[QColor | None], tips: Sequence[str],
                        bold: Sequence[int] = (), unknown: Sequence[int] = ()) -> None:  # fmt: skip
        """``fills[i]`` behind ``text[i]`` (None: the background); ``tips[i]`` on hover."""
        self._fills, self._tips = list(fills), list(tips)
        strong, dotted = set(bold), set(unknown)
        faint = self.palette().color(QPalette.ColorRole.PlaceholderText)
        cursor = QTextCursor(self.document())
        self.document().clear()
        cursor.beginEditBlock()  # one layout for the whole text, not one per character
        for position, (char, fill) in enumerate(zip(text, fills)):
            form = QTextCharFormat()
            if fill is not None:
                form.setBackground(fill)
                form.setForeground(contrast_ink(fill))
            if position in strong:
                form.setFontWeight(700)
            if position in dotted:
                form.setForeground(faint)
                form.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            cursor.insertText(char, form)
        cursor.endEditBlock()

    def show_message(self, message: str) -> None:
        """No characters; ``message`` (a few words: the box is two lines high) in their place."""
        self._fills, self._tips = [], []
        self.document().clear()
        self.setPlaceholderText(message)

    def _fit(self) -> None:
        """As tall as the text (or the message), within LINES_SHOWN lines; the rest scrolls."""
        line = QFontMetrics(self.font()).lineSpacing()
        margin = 2 * self.document().documentMargin()  # the document's size includes it
        fewest, most = LINES_SHOWN
        content = self.document().size().height() if self._tips else 0.0
        height = min(max(content, fewest * line + margin), most * line + margin)
        self.setFixedHeight(round(height) + 2 * self.frameWidth())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()  # a narrower box wraps into more lines

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def fills(self) -> list[QColor | None]:
        """Per character, the colour it is shown on (None: the background)."""
        return list(self._fills)

    def position_at(self, point: QPoint) -> int | None:
        """The character under ``point`` (viewport coordinates), or None."""
        cursor = self.cursorForPosition(point)
        position = cursor.position()  # the gap nearest the point: before or after a character
        if point.x() < self.cursorRect(cursor).left():
            position -= 1  # the point lies in the right half of the character before the gap
        return position if 0 <= position < len(self._tips) else None

    def tip_at(self, point: QPoint) -> str:
        position = self.position_at(point)
        return "" if position is None else self._tips[position]

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            tip = self.tip_at(event.pos())
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.showText(event.globalPos(), self.toolTip(), self.viewport())
            return True
        return super().viewportEvent(event)
