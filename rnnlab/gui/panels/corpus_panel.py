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

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontDatabase
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
from rnnlab.core.tasks import SOURCE_PREFIX, TASKS, Task
from rnnlab.gui.panels.frequency_chart import FrequencyChart
from rnnlab.gui.panels.task_section import TaskSection
from rnnlab.gui.panels.unit_facts import UnitFacts

PREVIEW_CHARS = 2_000
_ERROR_COLOR = "#d32f2f"  # readable on light and dark palettes
_TEXT_FILTER = (
    "Text files (*.txt *.text *.md *.csv *.tsv *.py *.c *.h *.tex *.html *.json);;"
    "rnnlab lessons (*.toml);;All files (*)"  # the window opens a .toml file as a lesson
)
def _file_size(size_bytes: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size_bytes >= scale:
            return f"{size_bytes / scale:.1f} {unit} ({size_bytes:,} bytes)"
    return f"{size_bytes:,} bytes"


class CorpusPanel(QWidget):
    """Corpus picker, facts about the loaded text, its character frequencies and a preview."""

    corpusRequested = Signal(str)  # a bundled corpus's name, a file's path, or "task:NAME"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current_source: str | None = None  # what show_corpus last showed
        self._recent: list[str] = []

        self.corpusCombo = QComboBox(objectName="corpusCombo")
        # Long file names must not force the dock wider; the full path is in the tooltip.
        self.corpusCombo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.corpusCombo.setMinimumContentsLength(12)
        self.corpusCombo.setToolTip(
            "<p>The text to train on: a bundled corpus or a recent file. A character model "
            "learns to predict the next character of this text.</p><p>Or a synthetic memory "
            "task, whose answer depends on something T steps back: where memory decides the "
            "outcome.</p>"
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

        self.frequencyPlot = FrequencyChart()
        self.unitFacts = UnitFacts()  # the Model tab's token unit on this text
        self.frequencyBars = self.frequencyPlot.bars

        self.task_section = TaskSection()
        self.task_section.setVisible(False)
        self.taskLengthSlider = self.task_section.taskLengthSlider

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
        layout.addWidget(self.task_section, 1)
        layout.addWidget(self.frequencyPlot, 1)
        layout.addWidget(self.unitFacts)
        layout.addWidget(self.preview, 1)
        self._fill_combo()

    # ---- what the window calls ----------------------------------------------------------------

    def show_task(self, task: Task) -> None:
        """Show a task and its distance T in place of a text's facts."""
        self.clear_error()
        self._current_source = task.source
        self._select_current()
        self._show_text_parts(False)
        self.task_section.show_task(task)

    def _show_text_parts(self, text: bool) -> None:
        for widget in (self.corpusInfo, self.frequencyPlot, self.unitFacts, self.preview):
            widget.setVisible(text)
        self.task_section.setVisible(not text)

    def show_corpus(self, corpus: Corpus, train_chars: int, validation_chars: int) -> None:
        """Show a freshly loaded corpus; clears any error from a previous attempt."""
        self.clear_error()
        self._current_source = corpus.source
        self._select_current()
        self._show_text_parts(True)
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
        self.frequencyPlot.show_counts(corpus)
        self.preview.setPlainText(corpus.text[:PREVIEW_CHARS])

    @property
    def frequency_labels(self) -> list[str]:
        """The chart's x labels, most frequent first."""
        return self.frequencyPlot.labels

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
        combo.insertSeparator(combo.count())
        for spec in TASKS.values():
            combo.addItem(f"task: {spec.name}", SOURCE_PREFIX + spec.name)
            combo.setItemData(combo.count() - 1, spec.description, Qt.ItemDataRole.ToolTipRole)
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
        self.frequencyPlot.apply_font(self.font(), self.palette())
        self.unitFacts.apply_font(self.font(), self.palette())

    def _apply_palette(self) -> None:
        self.frequencyPlot.apply_palette(self.font(), self.palette())
        self.unitFacts.apply_font(self.font(), self.palette())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)
