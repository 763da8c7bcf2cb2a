"""The sampling panel's next-character chart: the most likely characters after the prime as bars.

The panel gives the model's scores after the prime; this widget keeps them, so that moving the
temperature costs one softmax, draws the likeliest characters' probabilities, labels the bars with
characters that stay visible (a space, a line end), and follows the palette and the presentation
font scale, which pyqtgraph does not do by itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QWidget

from rnnlab.core.sampling import check_temperature, softmax
from rnnlab.gui.widgets.style import base_point_size, role_colour, shown_token

CHART_BARS = 15
TOKEN_BARS = 6  # for a word or BPE run, whose labels are up to four characters wide (projector too)


class NextCharChart(pg.PlotWidget):
    """Probability bars with character labels. The bar item is made once and only updated, so
    moving the temperature slider costs a softmax and new heights, not a new plot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base_point_size = base_point_size(self)
        self._font_scale = 1.0
        self._ticks: list[tuple[int, str]] = []
        self._title = ""
        self._logits: np.ndarray | None = None  # (V,) after the prime, until it or weights change
        self._top_codes = np.zeros(0, np.int64)  # the likeliest characters' codes, likeliest first
        self._next_title = self._empty_title = ""
        self.setMinimumHeight(160)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setYRange(0.0, 1.0, padding=0.02)
        self.setXRange(-0.6, CHART_BARS - 0.4, padding=0.0)
        # Major ticks only: the automatic minor ticks look like a comb at presentation size.
        self.getAxis("left").setTicks([[(value / 5, f"{value / 5:g}") for value in range(6)], []])
        self._bars = pg.BarGraphItem(x=np.arange(0), height=np.zeros(0), width=0.7)
        self.addItem(self._bars)
        self._ready = True

    def set_next(
        self, logits: np.ndarray | None, chars: Sequence[str], prime: str, *, has_model: bool
    ) -> None:
        """The scores (V,) of the character after ``prime``, for ``chars`` (the vocabulary);
        None: nothing to show (no model, or a prime it cannot read). ``show_temperature`` draws."""
        self._logits = logits
        tokens = any(len(char) > 1 for char in chars)  # a word or BPE run's vocabulary
        bars = TOKEN_BARS if tokens else CHART_BARS
        if logits is None:
            self._top_codes = np.zeros(0, np.int64)
        else:  # tokens' labels are wider: fewer bars, or they run into each other
            self._top_codes = np.argsort(-logits, kind="stable")[:bars]
        self.setXRange(-0.6, bars - 0.4, padding=0.0)
        self.set_characters([chars[code] for code in self._top_codes])
        # Short enough for a narrow dock at presentation size; the slider's label shows T.
        shown = prime if len(prime) <= 12 else "…" + prime[-11:]
        noun = "token" if tokens else "character"
        self._next_title = f"Next {noun} after “{shown.replace(chr(10), '⏎')}”"
        self._empty_title = "" if has_model else "No model yet: train a model first"

    def show_temperature(self, temperature: float) -> None:
        """The bars at ``temperature``: a softmax of the kept scores."""
        if self._logits is None:
            self.show_probabilities(np.zeros(0), self._empty_title)
            return
        check_temperature(temperature)  # the slider cannot go below 0.05; guard anyway
        heights = softmax(self._logits / temperature)[self._top_codes]
        self.show_probabilities(heights, self._next_title)

    def set_characters(self, chars: Sequence[str]) -> None:
        """Label the bars, most likely first (no characters: no model or no prime yet)."""
        # A word or BPE token is cut short: 15 bars share a narrow dock.
        self._ticks = [(index, shown_token(char, 4)) for index, char in enumerate(chars)]
        self.getAxis("bottom").setTicks([self._ticks, []])

    def show_probabilities(self, heights: np.ndarray, title: str) -> None:
        self._bars.setOpts(x=np.arange(len(heights)), height=heights)
        self._title = title
        self._show_title()

    def bars(self) -> list[tuple[str, float]]:
        """The chart as drawn: (label, probability) per bar, most likely first."""
        heights = np.asarray(self._bars.opts["height"]).tolist()
        return [(label, height) for (_, label), height in zip(self._ticks, heights)]

    def set_font_scale(self, scale: float) -> None:
        self._font_scale = max(0.5, float(scale))
        self.restyle()

    def restyle(self) -> None:
        """Palette colours and the font scale on axes, labels, bars and title."""
        text = self.palette().color(QPalette.ColorRole.Text)
        self.setBackground(self.palette().color(QPalette.ColorRole.Base))
        size = self._base_point_size * self._font_scale
        for name, factor in (("left", 1.0), ("bottom", 1.3)):  # the characters are the content
            font = QFont(self.font())
            font.setPointSizeF(size * factor)
            axis = self.getAxis(name)
            axis.setPen(pg.mkPen(text, width=max(1.0, self._font_scale)))
            axis.setTextPen(text)
            axis.setTickFont(font)
            axis.setStyle(tickTextOffset=int(4 * self._font_scale))
        # pyqtgraph sizes the axis to the text's ascent: "␣" sits below the baseline and was cut.
        self.getAxis("bottom").setHeight(int(QFontMetrics(font).height() * 1.5 + 8))
        style = {"color": text.name(), "font-size": f"{size:.1f}pt"}
        self.setLabel("left", "probability", **style)
        bar = role_colour(self, "raw")
        self._bars.setOpts(brush=bar, pen=bar)
        self._show_title()

    def _show_title(self) -> None:
        text = self.palette().color(QPalette.ColorRole.Text).name()
        size = f"{self._base_point_size * self._font_scale:.1f}pt"
        self.setTitle(self._title, color=text, size=size)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # It also arrives during construction, before there is anything to restyle.
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "_ready", False):
            self.restyle()
