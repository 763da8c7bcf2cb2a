"""What a token is for the next run: characters, words or BPE pieces with K merges.

Two rows of the model panel: the unit (``tokenUnitCombo``) and, shown for BPE only, its merges
(``mergesSpin``). Its value is the engine's spelling (``TrainConfig.tokens``): "char", "word",
"bpe:500".
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFormLayout

from rnnlab.core.tokens import MAX_MERGES, MIN_MERGES, WORD_CAP, TokenUnit
from rnnlab.gui.widgets.form_controls import SignalsBlocked, combo_box, spin_box

DEFAULT_MERGES = 500

UNITS = [("Characters", "char"), ("Words", "word"), ("BPE pieces", "bpe")]

UNIT_TIPS = {
    "char": "One token per character, as char-rnn reads text: a small vocabulary (the corpus's "
    "characters), but a dependency 25 characters back is 25 steps back.",
    "word": f"One token per word or punctuation mark (a word keeps the space before it). The "
    f"{WORD_CAP:,} most frequent words of the training text are kept; the rest read as one "
    "unknown token, which flatters the loss per character: the corpus panel says how much of "
    "the validation text is unknown.",
    "bpe": "Byte-pair encoding: start from characters and merge the most frequent pair, K times, "
    "on the training text only. Pieces sit between characters and words; decoding gives the "
    "text back exactly.",
}

TOKENS_TIP = (
    "What the model reads and predicts at each step. Fewer, longer tokens bring a dependency "
    "closer in steps, but the vocabulary (and the embedding and output layers) grows. Losses of "
    "runs in different units compare per character (the loss plot's units)."
)
MERGES_TIP = (
    f"BPE merges learned from the training text ({MIN_MERGES}–{MAX_MERGES:,}): the vocabulary "
    "is the corpus's characters plus one piece per merge. 500 gives pieces of about two "
    "characters on English text."
)


class TokenUnitControl(QObject):
    """The unit combo and the merges spin; ``form`` shows the merges row for BPE only."""

    unitChanged = Signal(str)  # the engine's spelling, on a user's edit (not set_unit)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.form: QFormLayout | None = None  # set once both rows are in it
        self._editable = True
        self.tokenUnitCombo = combo_box("tokenUnitCombo", UNITS)
        for index, (_, kind) in enumerate(UNITS):
            self.tokenUnitCombo.setItemData(index, UNIT_TIPS[kind], Qt.ItemDataRole.ToolTipRole)
        self.tokenUnitCombo.setToolTip(f"<p>{TOKENS_TIP}</p>")
        self.mergesSpin = spin_box("mergesSpin", MIN_MERGES, MAX_MERGES, 50)
        self.mergesSpin.setValue(DEFAULT_MERGES)
        self.mergesSpin.setKeyboardTracking(False)  # one change per edit, not per digit typed
        self.mergesSpin.setToolTip(f"<p>{MERGES_TIP}</p>")
        self.mergesSpin.setAccessibleName("BPE merges")
        self.tokenUnitCombo.currentIndexChanged.connect(self._on_edit)
        self.mergesSpin.valueChanged.connect(self._on_edit)
        self._follow()

    def unit(self) -> str:
        kind = self.tokenUnitCombo.currentData()
        return f"bpe:{self.mergesSpin.value()}" if kind == "bpe" else kind

    def set_unit(self, tokens: str) -> None:
        """Show ``tokens`` ("char", "word", "bpe:K") without emitting unitChanged."""
        unit = TokenUnit.parse(tokens)
        with SignalsBlocked(self.tokenUnitCombo, self.mergesSpin):
            self.tokenUnitCombo.setCurrentIndex(self.tokenUnitCombo.findData(unit.kind))
            if unit.kind == "bpe":
                self.mergesSpin.setValue(unit.merges)
        self._follow()

    def set_editable(self, editable: bool) -> None:
        """Off while the run trains: its unit is fixed once it has weights."""
        self._editable = editable
        self.tokenUnitCombo.setEnabled(editable)
        self._follow()

    def _on_edit(self) -> None:
        self._follow()
        self.unitChanged.emit(self.unit())

    def add_rows(self, form: QFormLayout, label: str) -> None:
        """The unit's row (``label``) and the merges row, shown for BPE only."""
        form.addRow(label, self.tokenUnitCombo)
        form.addRow("Merges:", self.mergesSpin)
        self.form = form
        self._follow()

    def _follow(self) -> None:
        if self.form is not None:
            self.form.setRowVisible(self.mergesSpin, self.tokenUnitCombo.currentData() == "bpe")
        self.mergesSpin.setEnabled(self._editable and self.tokenUnitCombo.currentData() == "bpe")
