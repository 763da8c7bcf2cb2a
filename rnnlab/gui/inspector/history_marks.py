"""The marked positions of task sequences on the gradient history heatmap.

Every probe of a task is a new sequence, so its marks lie at other distances than the column
before: a line across the heatmap would claim one distance for all of them. What is marked is
the newest column's marks: its marked cells outlined, and "◀ marked" on the right edge at their
rows; hovering any cell says whether it was marked in its own column's sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetrics

from rnnlab.core.probe_result import ProbeResult
from rnnlab.gui.inspector.task_marks import answer_words, mark_word, marked_distances, reading_of

TEXT_TOOLTIP = (
    "Each column: one probe during training; each row: how far back from the predicted\n"
    "character. Blue: the gradient has faded by that many powers of ten (−4: to a\n"
    "ten-thousandth); red: it has grown. Vanilla RNNs turn blue a few steps back."
)
TASK_TOOLTIP = (
    "Each column: one probe during training, a new task sequence each time; each row: how\n"
    "far back from the answer. Blue: the gradient has faded by that many powers of ten (−4:\n"
    "to a ten-thousandth); red: it has grown. ◀ on the right and the outlined cells: the\n"
    "positions the newest probe's answer depends on (they move from probe to probe; hover a\n"
    "cell to see whether it was marked in its own sequence). Blue there: nothing to learn from."
)


def _no_distances() -> np.ndarray:
    return np.zeros(0, np.int64)


@dataclass(frozen=True)
class ColumnNote:
    """What a column's hover text needs of its probe: not the probe, whose gates would keep
    megabytes alive per column."""

    text: str = ""  # the probe text read backwards: the character at each distance
    task: str = ""
    marked: np.ndarray = field(default_factory=_no_distances)  # marked distances

    @classmethod
    def of(cls, probe: ProbeResult) -> ColumnNote:
        return cls(probe.inputs[::-1], probe.task, marked_distances(probe))

    def describe(self, distance: int) -> str:
        """As ``reading_of``; a marked cell adds "in this probe's sequence"."""
        marked = bool(np.isin(distance, self.marked))
        text = reading_of(self.task, self.text[distance], marked)
        return text + " in this probe's sequence" if marked else text

    def relative_to(self) -> str:
        return f"its size at {answer_words(self.task)}"


class HistoryMarks:
    """Outlines around the newest column's marked cells, and the right axis naming their rows
    (pointing at them from beside the newest column, where an outline on a dark cell is lost)."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self._plot = plot
        # Square symbols one cell in size (pxMode off: data units), drawn without fill. Dark
        # only: a light halo inside a cell a few pixels high would pass for "no fading" (white).
        self._outline = pg.ScatterPlotItem(symbol="s", pxMode=False, size=1.0, brush=None)
        self._outline.setZValue(10)
        plot.addItem(self._outline, ignoreBounds=True)
        self._rows: list[tuple[float, str]] = []  # (distance, label) on the right axis
        self.show(-1, ColumnNote())

    def show(self, column: int, note: ColumnNote) -> None:
        """Mark ``note``'s marked distances in ``column`` (the newest); none on a text."""
        distances = note.marked if note.task else _no_distances()
        columns = np.full(len(distances), float(column))
        self._outline.setData(x=columns, y=distances.astype(float))
        word = mark_word(note.task)
        self._rows = [(float(distance), f"◀ {word}") for distance in distances]
        axis = self._plot.getAxis("right")
        axis.setTicks([self._rows, []])
        self._plot.getPlotItem().showAxis("right", bool(self._rows))

    def rows(self) -> list[tuple[float, str]]:
        """(distance, label) of every mark on the right edge."""
        return list(self._rows)

    def outlined(self) -> list[tuple[int, int]]:
        """(column, distance) of every outlined cell."""
        x, y = self._outline.getData()
        return [(round(column), round(distance)) for column, distance in zip(x, y)]

    def restyle(self, ink: QColor, font: QFont, scale: float) -> None:
        # Thin: the cell's colour inside is what the class looks at.
        self._outline.setPen(pg.mkPen(ink, width=1.5 * scale))
        self._outline.setBrush(None)
        axis = self._plot.getAxis("right")
        axis.setPen(pg.mkPen(ink, width=max(1.0, scale)))
        axis.setTextPen(ink)
        axis.setTickFont(font)
        # Ticks reach into the heatmap, pointing at the rows the words name.
        axis.setStyle(tickLength=round(6 * scale), tickTextOffset=round(3 * scale))
        axis.setWidth(QFontMetrics(font).horizontalAdvance("◀ remembered") + round(12 * scale))
