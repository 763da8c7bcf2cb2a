"""What the text views share: the probe text painted as characters in coloured cells (the
pictures of Karpathy's "Unreasonable Effectiveness of RNNs" and Distill's "Visualizing memorization
in RNNs"), and contrast and font helpers (the colour legend: ``colour_legend``).

Painted with QPainter rather than HTML: a few hundred cells repaint in about a millisecond, and the
place of every cell is known, for tooltips and clicks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QFontMetrics, QPainter, QPalette, QPen, QStaticText
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QToolTip, QWidget

from rnnlab.gui.inspector.grid_layout import place_cells
from rnnlab.gui.inspector.task_marks import paint_rings
from rnnlab.gui.widgets.style import (
    base_point_size,
    contrast_ink,
    scaled_font,
    shown_char,
    shown_token,
)
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

_MARGIN = 4  # pixels around the grid, times the font scale
_TEXT_SCALE = 1.15  # the characters are the content: a little larger than the interface text
# Cells a word or BPE token takes at most (one per character shown); a longer token is cut
# with "…", and its cell's tooltip gives it whole.
MAX_SPAN = 6


def vertical_scroll(grid: QWidget) -> QScrollArea:
    """``grid`` at the scroll area's width, scrolling vertically when its lines do not fit."""
    area = QScrollArea()
    area.setWidget(grid)
    area.setWidgetResizable(True)  # with heightForWidth: wraps at the width, grows downwards
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class CharGrid(QWidget):
    """Positions left to right, wrapped at the widget's width; each position is a column of
    ``rows`` cells: 1 for a coloured text, 6 for a character over its five guesses (a band of
    several rows has its top row bold, with a rule under it, and gaps between columns).

    A one-row text also breaks after line ends and keeps words whole where they fit a line. The
    owner gives labels, fills and a tooltip function; the grid lays out, paints and reports
    clicks. Its height follows its width (heightForWidth), for a vertical scroll area."""

    positionClicked = Signal(int)  # a cell of this position was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base_point_size = base_point_size()
        self._font_scale = 1.0
        self._labels: list[tuple[str, ...]] = []  # per position, the text of each row
        self._fills: list[tuple[QColor | None, ...]] = []  # None: the palette's base
        self._inks: list[tuple[QColor | None, ...]] = []  # None: the palette's text
        self._text: str | Sequence[str] = ""  # a one-row text: where lines and words end
        self._spans: list[int] = []  # cells each position takes: 1, or a token's characters
        self._marked: frozenset[tuple[int, int]] = frozenset()  # (position, row), outlined
        self._mark_colour = QColor()
        self._outlined: int | None = None  # one whole column, outlined twice
        self._hint = EMPTY_HINT
        self._tooltip: Callable[[int, int], str] | None = None
        self._places: list[tuple[int, int]] = []  # (line, column) per position
        self._at: dict[tuple[int, int], int] = {}  # (line, column) -> position
        self._placed_width = -1
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._restyle()

    def show_text(self, text: str | Sequence[str], fills: Sequence[QColor | None],
                  inks: Sequence[QColor | None] | None = None) -> None:  # fmt: skip
        """One row: ``text[t]``, made visible, on ``fills[t]`` (None: the palette's base).
        ``text``: a string (a character a position), or a word or BPE run's tokens (a cell per
        character, up to MAX_SPAN)."""
        if isinstance(text, str):
            labels = [(shown_char(char),) for char in text]
        else:
            labels = [(shown_token(piece, MAX_SPAN),) for piece in text]
        inks = None if inks is None else [(ink,) for ink in inks]
        spans = None if isinstance(text, str) else [len(label) for (label,) in labels]
        self.show_cells(labels, [(fill,) for fill in fills], inks, text=text, spans=spans)

    def show_cells(self, labels, fills, inks=None, text: str | Sequence[str] = "",
                   spans: Sequence[int] | None = None) -> None:  # fmt: skip
        """``labels``, ``fills`` and ``inks`` (None: black or white, whichever reads better): one
        sequence of ``rows`` entries per position; ``spans``: the cells each position takes
        (None: one each)."""
        labels = [tuple(column) for column in labels]
        spans = [max(1, int(span)) for span in spans] if spans is not None else [1] * len(labels)
        if labels != self._labels or text != self._text or spans != self._spans:
            self._labels, self._text, self._spans = labels, text, spans
            self._placed_width = -1
            self.updateGeometry()
        self._fills = [tuple(column) for column in fills]
        inks = inks or [(None,) * len(column) for column in self._fills]
        # Resolved once here, not on every paint (scrolling, hovering): None is the text colour.
        self._inks = [
            tuple(contrast_ink(fill) if ink is None and fill is not None else ink
                  for fill, ink in zip(fill_column, ink_column))
            for fill_column, ink_column in zip(self._fills, inks)
        ]  # fmt: skip
        self.update()

    def set_marks(self, marked: Iterable[tuple[int, int]] = (), colour: QColor | None = None,
                  outlined: int | None = None) -> None:  # fmt: skip
        """Cells drawn bold and outlined in ``colour`` (None: ringed in dark and light, which
        shows on any fill); one column outlined in the text colour."""
        self._marked, self._outlined = frozenset(marked), outlined
        self._mark_colour = QColor(colour) if colour is not None else QColor()
        self.update()

    def set_tooltip(self, tooltip: Callable[[int, int], str]) -> None:
        """``tooltip(position, row)`` gives the hover text of a cell."""
        self._tooltip = tooltip

    def clear(self, hint: str = EMPTY_HINT) -> None:
        self._hint = hint
        self.show_cells([], [])
        self.set_marks()

    def hint(self) -> str:
        """The message painted in place of cells ("" while cells are shown)."""
        return "" if self._labels else self._hint

    def fills(self) -> list[tuple[QColor | None, ...]]:
        return list(self._fills)

    def marked(self) -> frozenset[tuple[int, int]]:
        return self._marked

    def set_font_scale(self, scale: float) -> None:
        self._font_scale = max(0.5, float(scale))
        self._restyle()

    def rows(self) -> int:
        return len(self._labels[0]) if self._labels else 1

    def cell_size(self) -> QSize:
        return QSize(self._cell_width, self._cell_height)

    def cell_rect(self, position: int, row: int = 0) -> QRect:
        """Where a cell is painted, in this widget's coordinates."""
        line, column = self._place(self.width())[position]
        top = self._margin + line * self._band_height() + row * self._cell_height
        left = self._margin + column * self._column_width()
        return QRect(left, top, self._span_width(self._spans[position]), self._cell_height)

    def cell_at(self, point: QPoint) -> tuple[int, int] | None:
        """(position, row) of the cell under ``point``; None between or beyond cells."""
        places = self._place(self.width())  # heightForWidth may have placed for another width
        x, y = point.x() - self._margin, point.y() - self._margin
        line, within = divmod(y, self._band_height())
        column = x // self._column_width()
        position = self._at.get((line, column)) if x >= 0 and y >= 0 else None
        row = within // self._cell_height
        if position is None or row >= self.rows():
            return None
        inside = x - places[position][1] * self._column_width()
        return (position, row) if inside < self._span_width(self._spans[position]) else None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if not self._labels:
            return 3 * self._cell_height + 2 * self._margin
        return (self._place(width)[-1][0] + 1) * self._band_height() + 2 * self._margin

    def sizeHint(self) -> QSize:
        return QSize(40 * self._cell_width, self.heightForWidth(40 * self._cell_width))

    def minimumSizeHint(self) -> QSize:
        return QSize(8 * self._column_width(), self._band_height())

    def _band_height(self) -> int:
        # Bands of several rows need a gap, or a guess reads as the character of the band below.
        gap = self._cell_height // 2 if self.rows() > 1 else round(2 * self._font_scale)
        return self.rows() * self._cell_height + gap

    def _column_width(self) -> int:
        # Guesses side by side would read as words across columns ("tereen"): keep them apart.
        return self._cell_width + (self._cell_width // 3 if self.rows() > 1 else 0)

    def _span_width(self, span: int) -> int:
        """The width of a position ``span`` columns wide: its columns, less the last gap."""
        return span * self._column_width() - (self._column_width() - self._cell_width)

    def _place(self, width: int) -> list[tuple[int, int]]:
        """(line, column) of every position at ``width``; cached, since paint and hover ask."""
        if width == self._placed_width:
            return self._places
        columns = max(1, (width - 2 * self._margin) // self._column_width())
        spans = self._spans
        places = place_cells(self._text, spans, columns)
        self._places, self._placed_width = places, width
        self._at = {
            (line, column + offset): position
            for position, (line, column) in enumerate(places)
            for offset in range(spans[position])
        }
        return places

    def _restyle(self) -> None:
        family = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        points = self._base_point_size * _TEXT_SCALE * self._font_scale
        self._cell_font = scaled_font(family, points)
        self._bold_font = scaled_font(family, points, bold=True)
        metrics = QFontMetrics(self._bold_font)
        padding = round(3 * self._font_scale)
        self._cell_width = metrics.horizontalAdvance("W") + padding
        self._cell_height = metrics.height() + padding
        self._margin = round(_MARGIN * self._font_scale)
        self._hint_font = scaled_font(self.font(), self._base_point_size * self._font_scale)
        self._glyphs: dict[tuple[str, bool], QStaticText] = {}  # (label, bold) -> its layout
        self._placed_width = -1
        self.updateGeometry()
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        if not self._labels:
            painter.setFont(self._hint_font)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect(), flags, self._hint)
            return
        text_colour = palette.color(QPalette.ColorRole.Text)
        rule = QPen(palette.color(QPalette.ColorRole.Mid), max(1.0, self._font_scale))
        band, column_width, exposed = self._band_height(), self._column_width(), event.rect()
        height, rows = self._cell_height, self.rows()
        # Only the lines in the exposed rectangle: a scroll area shows a few of many.
        lines = range((exposed.top() - self._margin) // band, exposed.bottom() // band + 1)
        for position, (line, column) in enumerate(self._place(self.width())):
            if line not in lines:
                continue
            left, top = self._margin + column * column_width, self._margin + line * band
            span_width = self._span_width(self._spans[position])
            for row, label in enumerate(self._labels[position]):
                rect = QRect(left, top + row * height, span_width, height)
                self._paint_cell(painter, position, row, rect, label, text_colour)
            if rows > 1:  # the header row: the character the guesses are for
                painter.setPen(rule)
                right = left + span_width - 1
                painter.drawLine(left, top + height - 1, right, top + height - 1)
        if not self._mark_colour.isValid():  # on the cells' edges: after the neighbours' fills
            rings = [self.cell_rect(*cell) for cell in self._marked if cell[0] < len(self._labels)]
            paint_rings(painter, rings, text_colour, palette.color(QPalette.ColorRole.Base),
                        max(2, round(2 * self._font_scale)))  # fmt: skip
        if self._outlined is not None and self._outlined < len(self._labels):
            self._paint_outline(painter, self._outlined)

    def _paint_cell(self, painter, position, row, rect, label, text_colour) -> None:
        fill, ink = self._fills[position][row], self._inks[position][row]
        if fill is not None:
            painter.fillRect(rect, fill)
        marked = (position, row) in self._marked
        bold = marked or (row == 0 and len(self._labels[position]) > 1)  # a header: bold
        painter.setFont(self._bold_font if bold else self._cell_font)
        painter.setPen(text_colour if ink is None else ink)
        glyph = self._glyphs.get((label, bold))
        if glyph is None:  # laid out once: drawText would lay out every cell on every paint
            glyph = self._glyphs[label, bold] = QStaticText(label)
            glyph.prepare(font=self._bold_font if bold else self._cell_font)
        size = glyph.size()
        corner = QPointF(rect.x() + (rect.width() - size.width()) / 2,
                         rect.y() + (rect.height() - size.height()) / 2)  # fmt: skip
        painter.drawStaticText(corner, glyph)
        if marked and self._mark_colour.isValid():  # else rings, painted after every cell
            pen_width = max(2, round(2 * self._font_scale))
            painter.setPen(QPen(self._mark_colour, pen_width))
            inset = pen_width // 2
            painter.drawRect(rect.adjusted(inset, inset, -inset - 1, -inset - 1))

    def _paint_outline(self, painter: QPainter, position: int) -> None:
        """Dark and light outlines together: one of them shows on any cell colour."""
        rect = self.cell_rect(position, 0).united(self.cell_rect(position, self.rows() - 1))
        width = max(2, round(2 * self._font_scale))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for role, grow in ((QPalette.ColorRole.Text, width), (QPalette.ColorRole.Base, 0)):
            painter.setPen(QPen(self.palette().color(role), width))
            painter.drawRect(rect.adjusted(-grow + 1, -grow + 1, grow - 1, grow - 1))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            cell = self.cell_at(event.pos())
            if cell is None or self._tooltip is None:
                QToolTip.hideText()
            else:
                text = self._tooltip(*cell)
                QToolTip.showText(event.globalPos(), text, self, self.cell_rect(*cell))
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position().toPoint())
        if event.button() != Qt.MouseButton.LeftButton or cell is None:
            super().mousePressEvent(event)
            return
        self.positionClicked.emit(cell[0])
