"""The surprise panel: the language model as a spelling checker. The user types a text; each
character is coloured by its surprise, −log p(character | the text before it), the total is the
text's loss per character (what the loss plot shows), and the most surprising characters are
listed with what the model expected there. A typo lights up.

It scores with the sample panel's NumPy snapshots (``rnnlab.core.surprise``) and never imports
torch. Its own source combo picks the run's network or an n-gram model, like the sample panel's.
The unit follows the loss plot's: nats or bits (perplexity: the characters in nats, the total
also as a perplexity).
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from rnnlab.core.sampling import CharSampler
from rnnlab.core.surprise import BITS_PER_NAT, Surprise, surprise_of
from rnnlab.gui.panels.sample_sources import SampleSources
from rnnlab.gui.panels.surprise_texts import (
    DEFAULT_TEXT,
    HELP,
    NO_MODEL,
    NO_TEXT,
    NOTHING_SCORED,
    ON_A_TASK,
    SHORT_MESSAGES,
    TIPS,
    context_tip,
    unknown_tip,
)
from rnnlab.gui.panels.surprise_view import (
    SurpriseLegend,
    SurpriseText,
    colour_at,
    colour_stops,
    scale_top,
)
from rnnlab.gui.widgets.form_controls import named
from rnnlab.gui.widgets.style import point_size, shown_char

TEXT_DELAY_MS = 150  # a big model reads a long text in a while: not on every keystroke
MAX_TEXT = 400  # characters: a few sentences; reading them stays well under a second
TOP_COUNT = 3  # the most surprising characters listed
TEXT_FONT_SCALE = 1.4  # the text is the content: a little larger than the panel's labels


def quoted(char: str) -> str:
    return f"‘{shown_char(char)}’"


def probability_text(probability: float) -> str:
    """0.42, or "1 in 3,300" for small ones: easier to feel than 3.0e-04."""
    if probability >= 0.1:
        return f"{probability:.2f}"
    odds = 1.0 / max(probability, 1e-300)
    rounded = float(f"{odds:.2g}")  # two significant digits: the scale is what matters
    return f"1 in {rounded:,.0f}"


def word_span(text: str, position: int) -> tuple[int, int]:
    """Where the word the character at ``position`` belongs to starts and ends; for a space or
    line end, the few characters around it."""
    if text[position].isspace():
        return max(position - 4, 0), min(position + 5, len(text))
    start, end = position, position + 1
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def marked_word(text: str, position: int) -> str:
    """HTML: the word around ``position`` with that character underlined (a word may have the
    same letter twice: "thee")."""
    start, end = word_span(text, position)

    def shown(part: str) -> str:
        return html.escape("".join(shown_char(char) for char in part))

    marked = f"<u>{shown(text[position])}</u>"
    return shown(text[start:position]) + marked + shown(text[position + 1 : end])


class SurprisePanel(QWidget):
    """Scores ``surpriseEdit``'s text after a typing pause and on new weights; only while shown
    (a hidden tab recomputes when it is next shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surprisePanel")
        self._sampler: CharSampler | None = None
        self._characters = 0  # distinct characters the sampler's tokens spell (scale_top)
        self._characters_of: object = None  # the vocabulary they were counted in
        self._result: Surprise | None = None
        self._unit = "nats"
        self._stale = True  # the text or the model changed since the last scoring
        self._message = NO_MODEL
        self._build()
        self.sources = SampleSources(self.surpriseSourceCombo)
        self.sources.changed.connect(self._use_source)
        self._timer = QTimer(self, interval=TEXT_DELAY_MS, singleShot=True)
        self._timer.timeout.connect(self.refresh)
        self.surpriseEdit.textChanged.connect(self._text_changed)
        self._ready = True
        self._apply_text_font()
        self.set_sampler(None)

    def _add(self, widget: QWidget, name: str) -> QWidget:
        return named(widget, name, TIPS)

    def _build(self) -> None:
        self.surpriseSourceCombo = self._add(QComboBox(), "surpriseSourceCombo")
        self.surpriseEdit = self._add(QLineEdit(DEFAULT_TEXT), "surpriseEdit")
        self.surpriseEdit.setMaxLength(MAX_TEXT)
        self.surpriseEdit.setClearButtonEnabled(True)
        self.surpriseLegend = self._add(SurpriseLegend(), "surpriseLegend")
        self.surpriseText = self._add(SurpriseText(), "surpriseText")
        self.surpriseTotal = self._add(QLabel(wordWrap=True), "surpriseTotal")
        self.surpriseTop = self._add(QLabel(wordWrap=True), "surpriseTop")
        self.surpriseHelp = QLabel(HELP, wordWrap=True, objectName="surpriseHelp")
        source = QHBoxLayout()
        source.addWidget(QLabel("Source:"))
        source.addWidget(self.surpriseSourceCombo, stretch=1)
        layout = QGridLayout(self)
        layout.addLayout(source, 0, 0, 1, 2)
        layout.addWidget(QLabel("Text:"), 1, 0)
        layout.addWidget(self.surpriseEdit, 1, 1)
        layout.addWidget(self.surpriseLegend, 2, 0, 1, 2)
        layout.addWidget(self.surpriseText, 3, 0, 1, 2)
        layout.addWidget(self.surpriseTotal, 4, 0, 1, 2)
        layout.addWidget(self.surpriseTop, 5, 0, 1, 2)
        layout.addWidget(self.surpriseHelp, 6, 0, 1, 2)
        layout.setRowStretch(7, 1)  # the text's box fits its text: what is left stays below
        layout.setColumnStretch(1, 1)

    # ---- public calls --------------------------------------------------------------------------

    def set_sampler(self, sampler: CharSampler | None, step: int = 0) -> None:
        """A new weight snapshot of the run (None: no model yet). ``step`` is unused here: the
        text is scored with whatever weights came last."""
        self.sources.set_run(sampler)
        self._use_source()

    def set_unit(self, unit: str) -> None:
        """The loss plot's unit: "nats", "bits" or "perplexity" (others, a task's, are ignored)."""
        if unit in ("nats", "bits", "perplexity"):
            self._unit = unit
            self._show()

    def set_on_task(self, on_task: bool) -> None:
        """On a task there is no text to score: say so instead."""
        self.setEnabled(not on_task)
        if on_task:
            self._result, self._message = None, ON_A_TASK
            self._show()
        else:
            self._use_source()

    def result(self) -> Surprise | None:
        """The text as last scored (None: no model, or not shown since it changed)."""
        return self._result

    def refresh(self) -> None:
        """Score the text now if the panel is shown; else when it is next shown."""
        self._timer.stop()
        self._stale = True
        if not self.isVisible():
            return
        self._stale = False
        text = self.surpriseEdit.text()
        self._result, self._message = None, NO_MODEL if self._sampler is None else NO_TEXT
        if self._sampler is not None and text:
            self._result = surprise_of(self._sampler, text)
        self._show()

    # ---- scoring and showing ---------------------------------------------------------------

    def _use_source(self) -> None:
        self._sampler = self.sources.current()
        # The scale is per character: a word or BPE run's surprise is shared over the
        # characters its tokens spell, so its top is set by the characters, not the tokens.
        vocabulary = self._sampler.vocabulary if self._sampler is not None else None
        if vocabulary is not self._characters_of:  # once per vocabulary, not per snapshot
            tokens = vocabulary.chars if vocabulary is not None else ()
            self._characters = len({char for token in tokens for char in token})
            self._characters_of = vocabulary
        self.refresh()

    def _text_changed(self) -> None:
        self._stale = True
        self._timer.start()

    def _value(self, nats: float) -> float:
        return nats * BITS_PER_NAT if self._unit == "bits" else nats

    def _unit_name(self) -> str:
        return "bits" if self._unit == "bits" else "nats"

    def _show(self) -> None:
        result, unit = self._result, self._unit_name()
        top = scale_top(self._characters) if self._sampler is not None else 1.0
        stops = colour_stops(self)
        ticks = [(0.0, "0"), (0.5, f"{self._value(top / 2):.1f} guess"),
                 (1.0, f"{self._value(top):.1f}")]  # fmt: skip
        self.surpriseLegend.set_scale(stops, ticks, f"Surprise −log p ({unit})")
        if result is None:
            self.surpriseText.show_message(SHORT_MESSAGES[self._message])
            self.surpriseTotal.setText(self._message)
            self.surpriseTop.clear()
            return
        fills = [None if math.isnan(value) else colour_at(stops, value / top)
                 for value in result.nats.tolist()]  # fmt: skip
        most = result.most_surprising(TOP_COUNT)
        unknown = result.unknown.nonzero()[0].tolist()
        self.surpriseText.show_characters(result.text, fills, self._tips(), most, unknown)
        self.surpriseTotal.setText(self._total())
        self.surpriseTop.setText(self._top_list(most) if most else "")

    def _total(self) -> str:
        result = self._result
        count = int(result.scored.sum())
        unknown = ", ".join(quoted(char) for char in result.unknown_chars[:5])
        if count == 0:
            return f"Nothing could be scored: never seen in training: {unknown}." if unknown \
                else NOTHING_SCORED  # fmt: skip
        characters = "character" if count == 1 else "characters"
        if self._unit == "perplexity":
            loss = f"perplexity {math.exp(result.mean):.2f} ({result.mean:.2f} nats/char)"
        else:
            loss = f"{self._value(result.mean):.2f} {self._unit_name()}/char"
        text = f"Loss of this text: {loss}, the mean surprise of {count} {characters}."
        if unknown:
            text += f" Not scored, never seen in training: {unknown}."
        return text

    def _top_list(self, positions: list[int]) -> str:
        result, unit = self._result, self._unit_name()
        lines = []
        for position in positions:
            char, expected = result.text[position], str(result.expected[position])
            word = marked_word(result.text, position)
            probability = probability_text(float(result.probabilities[position]))
            lines.append(
                f"<b>{html.escape(quoted(char))}</b> in “{word}”: "
                f"{self._value(result.nats[position]):.1f} {unit} (p = {probability}); "
                f"expected {html.escape(quoted(expected))}"
            )
        return "Most surprising: " + "<br>".join(lines)

    def _tips(self) -> list[str]:
        result, unit = self._result, self._unit_name()
        tips = []
        for position, char in enumerate(result.text):
            if result.unknown[position]:
                tips.append(unknown_tip(quoted(char)))
                continue
            nats = float(result.nats[position])
            if math.isnan(nats):
                tips.append(context_tip(quoted(char)))
                continue
            before = result.text[max(position - 12, 0) : position].replace("\n", "⏎")
            probability = float(result.probabilities[position])
            expected = quoted(str(result.expected[position]))
            tips.append(
                f"{quoted(char)} after “{before}”\n"
                f"p = {probability_text(probability)}; surprise −log p = "
                f"{self._value(nats):.2f} {unit}\n"
                f"the model expected {expected} (p = "
                f"{probability_text(float(result.expected_probability[position]))})"
            )
        return tips

    # ---- Qt events -----------------------------------------------------------------------------

    def _apply_text_font(self) -> None:
        """A monospace text a bit larger than the panel's font, which follows the application
        (presentation mode enlarges it)."""
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(point_size(self.font()) * TEXT_FONT_SCALE)
        self.surpriseText.setFont(font)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if not getattr(self, "_ready", False):  # also sent during construction
            return
        if event.type() == QEvent.Type.FontChange:
            self._apply_text_font()
        elif event.type() == QEvent.Type.PaletteChange:
            self._show()  # the colours start from the background
