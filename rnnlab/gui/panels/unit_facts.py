"""The corpus panel's facts of the token unit the model panel shows: vocabulary, tokens,
characters per token, the unknown share (words), the memory distance, the first merges (BPE)
and how long the tokens are. Torch-free, as every panel."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from rnnlab.core.token_facts import DEPENDENCY_CHARACTERS, TokenFacts
from rnnlab.core.tokens import WORD_CAP
from rnnlab.gui.panels.frequency_chart import BarChart
from rnnlab.gui.widgets.style import shown_token

LONGEST_BAR = 12  # tokens this long or longer share the last bar ("12+")
SHOWN_MERGES = 8

LENGTHS_TIP = (
    "<p>How many characters the text's tokens spell, in % of its tokens. Characters: all 1. "
    "Words and BPE pieces are longer, so a dependency some characters back is fewer steps back "
    "for the model.</p>"
)


class UnitFacts(QGroupBox):
    """``unitFacts``: what the chosen unit makes of the text, and a histogram of token lengths."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tokens", parent)
        self.setObjectName("unitFacts")
        self.factsLabel = QLabel(objectName="unitFactsLabel")
        self.factsLabel.setWordWrap(True)
        self.factsLabel.setTextFormat(Qt.TextFormat.RichText)
        self.factsLabel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lengthPlot = BarChart("tokenLengthPlot", "Token lengths (characters)",
                                   "% of tokens", LENGTHS_TIP, 130)  # fmt: skip
        self.lengthBars = self.lengthPlot.bars
        layout = QVBoxLayout(self)
        layout.addWidget(self.factsLabel)
        layout.addWidget(self.lengthPlot)
        self.shares = np.zeros(0)  # the bars' heights, in % of the tokens
        self.show_characters()

    def show_characters(self) -> None:
        """The unit is characters: nothing to learn, one character a token."""
        self.factsLabel.setText(
            "Characters: one token per character, so a dependency "
            f"{DEPENDENCY_CHARACTERS} characters back is {DEPENDENCY_CHARACTERS} steps back. "
            "Choose words or BPE pieces in the Model tab (Tokens) to compare."
        )
        self.lengthPlot.hide()

    def show_learning(self, label: str) -> None:
        self.factsLabel.setText(f"Learning {html.escape(label)} on the training text…")
        self.lengthPlot.hide()

    def show_facts(self, facts: TokenFacts) -> None:
        unit = facts.unit
        if unit.kind == "char":
            self.show_characters()
            return
        rows = [_vocabulary_line(facts)]
        rows.append(f"{facts.tokens:,} tokens, {facts.characters_per_token:.2f} characters per "
                    "token")  # fmt: skip
        if unit.kind == "word":
            rows.append(
                f"<b>Unknown: {facts.unknown_share:.1%}</b> of the validation text's tokens. "
                "Warning: they count as predicted, so a word run's loss per character reads "
                "lower than it should."
            )
        rows.append(
            f"Memory distance: a dependency {DEPENDENCY_CHARACTERS} characters back lies "
            f"<b>{facts.memory_distance:.1f} tokens</b> back (for characters: "
            f"{DEPENDENCY_CHARACTERS})."
        )
        if facts.merges:
            merges = ", ".join(
                f"{_quoted(left)}+{_quoted(right)}" for left, right in facts.merges[:SHOWN_MERGES]
            )
            rows.append(f"First merges: {merges}")
        if facts.seconds:
            rows.append(f"Learned in {facts.seconds:.1f} s.")
        self.factsLabel.setText("<br>".join(rows))
        self._show_lengths(facts.length_counts)

    def _show_lengths(self, counts: np.ndarray) -> None:
        # counts[k]: tokens of k characters. Bars for 1 .. LONGEST_BAR - 1, then the rest.
        counts = np.pad(np.asarray(counts, np.float64), (0, LONGEST_BAR + 1))
        bars = np.append(counts[1:LONGEST_BAR], counts[LONGEST_BAR:].sum())
        self.shares = 100.0 * bars / max(bars.sum(), 1.0)
        positions = np.arange(1, LONGEST_BAR + 1)
        self.lengthBars.setOpts(x=positions, height=self.shares, width=0.8)
        ticks = [(int(length), str(length)) for length in positions[:-1:2]]
        ticks.append((LONGEST_BAR, f"{LONGEST_BAR}+"))
        self.lengthPlot.getAxis("bottom").setTicks([ticks, []])
        self.lengthPlot.setXRange(0.3, LONGEST_BAR + 0.7, padding=0)
        self.lengthPlot.setYRange(0, float(self.shares.max()) * 1.05 or 1.0, padding=0)
        self.lengthPlot.show()

    def apply_font(self, font: QFont, palette: QPalette) -> None:
        """The chart's axes and title at the panel's font, in the palette's colours."""
        self.lengthPlot.apply_palette(font, palette)


def _vocabulary_line(facts: TokenFacts) -> str:
    size = f"{facts.vocabulary_size:,}"
    if facts.unit.kind == "word":
        return (f"Words: a vocabulary of {size} (at most the {WORD_CAP:,} most frequent words "
                "of the training text, and one unknown token)")  # fmt: skip
    return (f"{facts.unit.label}: a vocabulary of {size} (the text's characters and "
            f"{len(facts.merges):,} merges learned on the training text)")  # fmt: skip


def _quoted(piece: str) -> str:
    return f"“{html.escape(shown_token(piece, 8))}”"
