"""The corpus panel's chart of the most frequent characters: a model's first lesson is this
table (predicting these shares already beats ln V). ``BarChart`` is what it shares with the
token-length chart (``unit_facts``). Torch-free, as every panel."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics, QPalette

from rnnlab.core.corpus import Corpus
from rnnlab.gui.panels.visible_characters import visible_character

TOP_CHARACTERS = 30


class BarChart(pg.PlotWidget):
    """A small bar chart of a panel: no mouse, no menu, its axes, title and label at the
    panel's font (presentation mode's larger one too) and in its palette."""

    def __init__(self, name: str, title: str, y_label: str, tooltip: str, height: int) -> None:
        super().__init__(objectName=name)
        self._chart_title, self._y_label = title, y_label
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMinimumHeight(height)
        self.setToolTip(tooltip)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#4c72b0")
        self.addItem(self.bars)

    def apply_font(self, font: QFont, palette: QPalette) -> None:
        """Axes, title and label at the panel's font (presentation mode's larger one too)."""
        metrics = QFontMetrics(font)
        # pyqtgraph sizes its axes for its own default font until a redraw has measured the
        # labels: size them from this font now, or a big font clips them (␣ looks like a comma).
        for side in ("bottom", "left"):
            self.getAxis(side).setStyle(
                tickFont=font,
                autoExpandTextSpace=False,
                tickTextHeight=metrics.height(),
                tickTextWidth=metrics.horizontalAdvance("100") + 2,
            )
        size = f"{font.pointSizeF():g}pt"
        self.setTitle(
            self._chart_title, size=size, color=palette.color(QPalette.ColorRole.Text)
        )
        left_axis = self.getAxis("left")
        color = left_axis.textPen().color().name()  # a label style without a colour is black
        left_axis.setLabel(self._y_label, **{"font-size": size, "color": color})

    def apply_palette(self, font: QFont, palette: QPalette) -> None:
        """The chart follows the light or dark palette, as the other plots do."""
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        for side in ("bottom", "left"):
            axis = self.getAxis(side)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self.apply_font(font, palette)  # the title's colour


class FrequencyChart(BarChart):
    """Bars of the ``TOP_CHARACTERS`` most frequent characters, in % of the text."""

    def __init__(self) -> None:
        super().__init__(
            "frequencyPlot", f"{TOP_CHARACTERS} most frequent characters", "% of text",
            "<p>How often each character occurs. ␣ is a space, ⏎ a new line, ⇥ a tab. A "
            "model's first lesson is this table: predicting these shares gives a loss well "
            "below ln(V).</p>", 170,
        )  # fmt: skip
        self.labels: list[str] = []  # the x labels, most frequent first

    def show_counts(self, corpus: Corpus) -> None:
        counts = corpus.char_counts
        top = np.argsort(counts, kind="stable")[::-1][:TOP_CHARACTERS]
        chars = corpus.vocabulary.chars
        self.labels = [visible_character(chars[int(code)]) for code in top]
        shares = 100.0 * counts[top] / max(int(counts.sum()), 1)
        positions = np.arange(len(top))
        self.bars.setOpts(x=positions, height=shares, width=0.8)
        ticks = list(zip(positions.tolist(), self.labels))
        self.getAxis("bottom").setTicks([ticks, []])
        # Room beyond the outer bars: pyqtgraph drops a tick label that would cross the edge.
        self.setXRange(-0.9, len(top) - 0.1, padding=0)
        self.setYRange(0, float(shares.max()) * 1.05 if len(top) else 1, padding=0)
