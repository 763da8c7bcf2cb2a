"""Which baselines the loss plot shows: ``baselineCombo``, beside the smoothing above the plot.

The choices are a ladder, from knowing nothing to the best counting model; each choice shows its
line and those of the choices above it, so "best n-gram" shows how far each step gets.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

# (key, text, tooltip), in the combo's order.
CHOICES = (
    ("none", "none", "No reference lines."),
    ("uniform", "uniform",
     "Guessing every character equally likely: ln V nats per character for V different "
     "characters. An untrained network starts about here."),
    ("unigram", "unigram",
     "A 1-gram model: each character as often as it appears in the training text, whatever came "
     "before. Letter frequencies alone beat the uniform guess."),
    ("bigram", "bigram",
     "A 2-gram model: the next character given the one before it (after q comes u). A network "
     "passes it once it has learned which letters follow which."),
    ("best", "best n-gram",
     "The n-gram order with the lowest validation loss. Higher orders see longer contexts but "
     "have met fewer of them: most 8-character contexts of new text never occur in the "
     "training text, so the model has to fall back on shorter ones and does worse than at "
     "about 5 or 6. A network that beats this line has learned more than counting can."),
)  # fmt: skip
NGRAM_KEYS = ("unigram", "bigram", "best")
DEFAULT_CHOICE = "uniform"
TIP = (
    "Baselines: what simpler models score, in the plot's unit, on exactly the validation "
    "characters of the validation points, so a line and a point compare directly. "
    "An n-gram model predicts the next character from the n − 1 before it by counting, in the "
    "training text, what followed them (Kneser–Ney smoothing keeps some probability for what "
    "never did). Each choice adds its line to those above it in the list."
)
# Wide enough for "best n-gram (building…)" without the row growing when the text changes.
_CONTENTS_LENGTH = 14


class BaselineControl(QWidget):
    """"Baselines: [uniform ▾]"; ``choiceChanged`` gives the chosen key (see ``CHOICES``)."""

    choiceChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="baselineControl")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        label = QLabel("Baselines")  # no mnemonic: Alt+B is the Model panel's batch size
        self.combo = QComboBox(objectName="baselineCombo")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(_CONTENTS_LENGTH)
        for index, (key, text, tip) in enumerate(CHOICES):
            self.combo.addItem(text, key)
            self.combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        label.setBuddy(self.combo)
        for widget in (label, self.combo):
            widget.setToolTip(TIP)
            layout.addWidget(widget)
        self.combo.setCurrentIndex(self.combo.findData(DEFAULT_CHOICE))
        self.combo.currentIndexChanged.connect(lambda: self.choiceChanged.emit(self.choice()))

    def choice(self) -> str:
        return self.combo.currentData()

    def shown_keys(self) -> list[str]:
        """The lines the choice asks for: its own and those above it ("none" asks for none)."""
        keys = [key for key, _, _ in CHOICES]
        return keys[1 : keys.index(self.choice()) + 1]

    def set_ngram_state(self, note: str, detail: str = "") -> None:
        """The n-gram entries: available with ``note`` "", else disabled and saying ``note``
        ("building…", "failed"); ``detail`` joins the tooltip (what was built, or what went
        wrong). A chosen entry stays chosen, and shows its lines once they are there."""
        model = self.combo.model()
        for index, (key, text, tip) in enumerate(CHOICES):
            if key not in NGRAM_KEYS:
                continue
            self.combo.setItemText(index, f"{text} ({note})" if note else text)
            item = model.item(index)  # type: ignore[attr-defined]  # a QStandardItemModel
            item.setEnabled(not note)
            self.combo.setItemData(index, f"{tip}\n\n{detail}".strip(), Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip(f"{TIP}\n\n{detail}".strip())
