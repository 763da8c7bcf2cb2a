"""The corpus panel: pick a text, see what is in it, and why a model starts at ln(V) nats/char.

It shows a corpus; it does not load one. Choosing an entry or a file emits ``corpusRequested``
and the window loads the text (in the background for big files) and calls ``show_corpus`` or
``show_error``. This module imports neither torch nor the trainer: the window paints before
torch has loaded.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontDatabase, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rnnlab.core.corpus import Corpus, bundled_corpora
from rnnlab.core.errors import CorpusError

TOP_CHARACTERS = 30
PREVIEW_CHARS = 2_000
_ERROR_COLOR = "#d32f2f"  # readable on light and dark palettes
_TEXT_FILTER = (
    "Text files (*.txt *.text *.md *.csv *.tsv *.py *.c *.h *.tex *.html *.json);;All files (*)"
)
_VISIBLE_NAMES = {" ": "␣", "\n": "⏎", "\t": "⇥", "\x7f": "␡", "\xa0": "⍽"}


def visible_character(char: str) -> str:
    """A readable stand-in for a character that would print as nothing (space, newline, ...)."""
    if char in _VISIBLE_NAMES:
        return _VISIBLE_NAMES[char]
    if ord(char) < 0x20:
        return chr(0x2400 + ord(char))  # Unicode "control pictures": ␀ ... ␟
    return char if char.isprintable() else "◌"


def _file_size(size_bytes: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size_bytes >= scale:
            return f"{size_bytes / scale:.1f} {unit} ({size_bytes:,} bytes)"
    return f"{size_bytes:,} bytes"


class CorpusPanel(QWidget):
    """Corpus picker, facts about the loaded text, its character frequencies and a preview."""

    corpusRequested = Signal(str)  # a bundled corpus's name, or a file's path

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current_source: str | None = None  # what show_corpus last showed
        self._recent: list[str] = []
        self.frequency_labels: list[str] = []  # the chart's x labels, most frequent first

        self.corpusCombo = QComboBox(objectName="corpusCombo")
        # Long file names must not force the dock wider; the full path is in the tooltip.
        self.corpusCombo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.corpusCombo.setMinimumContentsLength(12)
        self.corpusCombo.setToolTip(
            "<p>The text to train on: a bundled corpus or a recent file. A character model "
            "learns to predict the next character of this text.</p>"
        )
        self.corpusCombo.activated.connect(self._on_activated)
        self.openCorpusButton = QPushButton("Open…", objectName="openCorpusButton")
        self.openCorpusButton.setToolTip(
            "<p>Train on your own text file (Ctrl+O; you can also drop a file on the window). "
            "UTF-8 is best; cp1251, KOI8-R, cp1252 and latin-1 are recognised.</p>"
        )
        self.openCorpusButton.clicked.connect(self.open_file_dialog)
        corpus_label = QLabel("C&orpus:")
        corpus_label.setBuddy(self.corpusCombo)
        picker_row = QHBoxLayout()
        picker_row.addWidget(corpus_label)
        picker_row.addWidget(self.corpusCombo, 1)
        picker_row.addWidget(self.openCorpusButton)

        self.busyLabel = QLabel("Loading…", objectName="corpusBusy")
        self.busyLabel.setVisible(False)
        self.errorLabel = QLabel(objectName="corpusError")
        self.errorLabel.setWordWrap(True)
        self.errorLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errorLabel.setVisible(False)

        self.corpusInfo = QLabel("No corpus loaded yet.", objectName="corpusInfo")
        self.corpusInfo.setWordWrap(True)
        self.corpusInfo.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

        self.frequencyPlot = pg.PlotWidget(objectName="frequencyPlot")
        self.frequencyPlot.setMenuEnabled(False)
        self.frequencyPlot.setMouseEnabled(x=False, y=False)
        self.frequencyPlot.hideButtons()
        self.frequencyPlot.setMinimumHeight(170)
        self.frequencyPlot.setToolTip(
            "<p>How often each character occurs. ␣ is a space, ⏎ a new line, ⇥ a tab. A "
            "model's first lesson is this table: predicting these shares gives a loss well "
            "below ln(V).</p>"
        )
        self.frequencyBars = pg.BarGraphItem(x=[], height=[], width=0.8, brush="#4c72b0")
        self.frequencyPlot.addItem(self.frequencyBars)

        self.preview = QPlainTextEdit(objectName="corpusPreview")
        self.preview.setReadOnly(True)
        self.preview.setToolTip(f"The first {PREVIEW_CHARS:,} characters of the text.")
        self._apply_fonts()
        self._apply_palette()

        layout = QVBoxLayout(self)
        layout.addLayout(picker_row)
        layout.addWidget(self.busyLabel)
        layout.addWidget(self.errorLabel)
        layout.addWidget(self.corpusInfo)
        layout.addWidget(self.frequencyPlot, 1)
        layout.addWidget(self.preview, 1)
        self._fill_combo()

    # ---- what the window calls ----------------------------------------------------------------

    def show_corpus(self, corpus: Corpus, train_chars: int, validation_chars: int) -> None:
        """Show a freshly loaded corpus; clears any error from a previous attempt."""
        self.clear_error()
        self._current_source = corpus.source
        self._select_current()
        vocabulary_size = len(corpus.vocabulary)
        uniform = math.log(vocabulary_size)  # the loss of a model that knows nothing yet
        # (U+2060, a word joiner, keeps Qt from breaking the line after the slash of nats/char)
        encoding = html.escape(corpus.encoding)
        if corpus.encoding_note:
            encoding += f"<br><i>{html.escape(corpus.encoding_note)}</i>"
        rows = [
            ("Name", html.escape(corpus.name) + (" (bundled)" if corpus.bundled else "")),
            ("File size", _file_size(corpus.size_bytes)),
            ("Characters", f"{len(corpus.text):,}"),
            ("Vocabulary", f"{vocabulary_size:,} distinct characters"),
            ("Encoding", encoding),
            ("Line mode", "yes: one example per line" if corpus.line_mode else "no"),
            ("Training", f"{train_chars:,} characters"),
            ("Validation", f"{validation_chars:,} characters"),
            ("Uniform guess", f"ln({vocabulary_size}) = {uniform:.2f}&nbsp;nats/\u2060char"),
        ]
        cells = "".join(
            f"<tr><td><b>{label}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>" for label, value in rows
        )
        self.corpusInfo.setText(f"<table cellspacing='0' cellpadding='1'>{cells}</table>")
        self.corpusInfo.setToolTip(
            f"<p>{html.escape(corpus.source)}</p><p>The uniform guess is the loss of a model "
            f"that gives each of the {vocabulary_size} characters the same probability: "
            "training starts there.</p>"
        )
        self._show_frequencies(corpus)
        self.preview.setPlainText(corpus.text[:PREVIEW_CHARS])

    def show_error(self, message: str) -> None:
        """Say why a text could not be used; the previous corpus stays shown (and loaded)."""
        self.errorLabel.setText(
            f"<span style='color:{_ERROR_COLOR}'><b>⚠ {html.escape(message)}</b></span>"
        )
        self.errorLabel.setVisible(True)
        self._select_current()  # the picker goes back to the corpus that is really loaded

    def clear_error(self) -> None:
        self.errorLabel.clear()
        self.errorLabel.setVisible(False)

    def set_recent(self, paths: list[str]) -> None:
        self._recent = list(dict.fromkeys(paths))  # no duplicates, order kept
        self._fill_combo()

    def set_busy(self, busy: bool) -> None:
        """While a big file loads: say so, and refuse a second request."""
        self.busyLabel.setVisible(busy)
        self.corpusCombo.setEnabled(not busy)
        self.openCorpusButton.setEnabled(not busy)

    def open_file_dialog(self) -> None:
        """Ask for a text file (the window's Ctrl+O calls this) and request it."""
        start = str(Path(self._recent[0]).parent) if self._recent else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a text to train on", start, _TEXT_FILTER)
        if path:
            self.corpusRequested.emit(path)

    # ---- internals --------------------------------------------------------------------------

    def _fill_combo(self) -> None:
        combo = self.corpusCombo
        combo.blockSignals(True)
        combo.clear()
        try:
            catalogue = bundled_corpora()
        except CorpusError as error:  # a broken install: say so instead of an empty list
            catalogue = []
            self.show_error(str(error))
        for bundled in catalogue:
            combo.addItem(bundled.name, bundled.name)
            combo.setItemData(combo.count() - 1, bundled.description, Qt.ItemDataRole.ToolTipRole)
        if self._recent:
            combo.insertSeparator(combo.count())
        names = [Path(path).name for path in self._recent]
        for path, name in zip(self._recent, names):
            # Two recent files with the same name are told apart by their folder.
            shown = f"{name} ({Path(path).parent.name})" if names.count(name) > 1 else name
            combo.addItem(shown, path)
            combo.setItemData(combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        combo.blockSignals(False)
        self._select_current()

    def _select_current(self) -> None:
        """Point the picker at the loaded corpus, without requesting it again."""
        index = self.corpusCombo.findData(self._current_source)
        self.corpusCombo.blockSignals(True)
        self.corpusCombo.setCurrentIndex(index)  # -1 (blank) when it is in neither list
        self.corpusCombo.blockSignals(False)

    def _on_activated(self, index: int) -> None:
        value = self.corpusCombo.itemData(index)
        if isinstance(value, str) and value:
            self.corpusRequested.emit(value)

    def _show_frequencies(self, corpus: Corpus) -> None:
        counts = corpus.char_counts
        top = np.argsort(counts, kind="stable")[::-1][:TOP_CHARACTERS]
        chars = corpus.vocabulary.chars
        self.frequency_labels = [visible_character(chars[int(code)]) for code in top]
        shares = 100.0 * counts[top] / max(int(counts.sum()), 1)
        positions = np.arange(len(top))
        self.frequencyBars.setOpts(x=positions, height=shares, width=0.8)
        ticks = list(zip(positions.tolist(), self.frequency_labels))
        self.frequencyPlot.getAxis("bottom").setTicks([ticks, []])
        # Room beyond the outer bars: pyqtgraph drops a tick label that would cross the edge.
        self.frequencyPlot.setXRange(-0.9, len(top) - 0.1, padding=0)
        self.frequencyPlot.setYRange(0, float(shares.max()) * 1.05 if len(top) else 1, padding=0)

    def _apply_fonts(self) -> None:
        """Fonts at the panel's own size, so presentation mode's larger font reaches them too."""
        # The platform's fixed-width font, as in the sample panel's output: one monospace face
        # across the window, not whichever of a list of family names a machine has first.
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if self.font().pointSizeF() > 0:
            font.setPointSizeF(self.font().pointSizeF())
        else:  # a font sized in pixels has no point size
            font.setPixelSize(self.font().pixelSize())
        self.preview.setFont(font)
        metrics = QFontMetrics(self.font())
        # pyqtgraph sizes its axes for its own default font until a redraw has measured the
        # labels: size them from this font now, or a big font clips them (␣ looks like a comma).
        for side in ("bottom", "left"):
            self.frequencyPlot.getAxis(side).setStyle(
                tickFont=self.font(),
                autoExpandTextSpace=False,
                tickTextHeight=metrics.height(),
                tickTextWidth=metrics.horizontalAdvance("100") + 2,
            )
        size = f"{self.font().pointSizeF():g}pt"
        self.frequencyPlot.setTitle(
            f"{TOP_CHARACTERS} most frequent characters",
            size=size,
            color=self.palette().color(QPalette.ColorRole.Text),
        )
        left_axis = self.frequencyPlot.getAxis("left")
        color = left_axis.textPen().color().name()  # a label style without a colour is black
        left_axis.setLabel("% of text", **{"font-size": size, "color": color})

    def _apply_palette(self) -> None:
        """The chart follows the light or dark palette, as the other plots do."""
        palette = self.palette()
        self.frequencyPlot.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        for side in ("bottom", "left"):
            axis = self.frequencyPlot.getAxis(side)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self._apply_fonts()  # the title's colour

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)
