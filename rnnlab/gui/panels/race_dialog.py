"""The race dialog: which cells race, in which token units, on equal parameters or equal hidden
size, for how long.

A view only: ``choice()`` gives what the user picked; the window makes the runs
(``rnnlab.core.race``) and trains them in turns in its one training thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rnnlab.core.race_sizes import MAX_RUNS
from rnnlab.core.tokens import TokenUnit

# (cell, label, what a student should know about it)
RACE_CELLS = (
    ("rnn", "RNN (tanh)", "h = tanh(W x + U h): forgets within tens of steps"),
    ("rnn-relu", "RNN (ReLU)", "h = relu(W x + U h): unbounded, prone to exploding gradients"),
    ("lstm", "LSTM", "a gated cell state: remembers over hundreds of steps"),
    ("gru", "GRU", "two gates, no separate cell state: close to the LSTM with fewer parameters"),
    ("sru", "SRU", "gates from the input only: fast on a GPU, weaker memory"),
)
DEFAULT_CELLS = ("rnn", "lstm", "gru", "sru")


@dataclass(frozen=True)
class RaceChoice:
    cells: tuple[str, ...]
    equal: str  # "params" | "hidden"
    steps: int | None  # per run; or
    seconds: float | None  # each run's share of training time
    seed: int
    # Every cell races in each of these units ("char", "word", "bpe:500"), the first setting
    # the parameter budget; () the Model tab's unit alone.
    tokens: tuple[str, ...] = ()


class RaceDialog(QDialog):
    def __init__(self, hidden_size: int, layers: int, seed: int, parent: QWidget | None = None,
                 units: Sequence[tuple[str, str]] = (("char", "Characters"),)):  # fmt: skip
        """``units``: (unit, label) the cells may race in, the Model tab's first (checked)."""
        super().__init__(parent)
        self.setObjectName("raceDialog")
        self.setWindowTitle("Race cell types")
        layout = QVBoxLayout(self)
        each = "Each cell in each chosen token unit" if len(units) > 1 else "Each cell"
        intro = QLabel(
            f"{each} becomes a run. They train in turns on the same batches (the same text, for "
            "runs of other units), from the same seed, and each gets the same share of training "
            "time."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        cells = QHBoxLayout()
        self.cell_boxes: dict[str, QCheckBox] = {}
        for cell, label, tip in RACE_CELLS:
            box = QCheckBox(label, objectName=f"race_{cell.replace('-', '_')}")
            box.setChecked(cell in DEFAULT_CELLS)
            box.setToolTip(tip)
            box.toggled.connect(self._check)
            cells.addWidget(box)
            self.cell_boxes[cell] = box
        layout.addLayout(cells)
        tokens = QHBoxLayout()
        self.unit_boxes: dict[str, QCheckBox] = {}
        for index, (unit, label) in enumerate(units):
            box = QCheckBox(label, objectName=f"race_tokens_{TokenUnit.parse(unit).kind}")
            box.setChecked(index == 0)
            box.setToolTip("Every chosen cell also races reading this unit, on the same text; "
                           "losses compare per character")  # fmt: skip
            box.toggled.connect(self._check)
            tokens.addWidget(box)
            self.unit_boxes[unit] = box
        self.too_many = QLabel(objectName="raceTooMany")
        tokens.addWidget(self.too_many)
        if len(units) > 1:  # one unit: nothing to choose
            layout.addWidget(QLabel("Tokens (equal parameters: as the first one reads them):"))
            layout.addLayout(tokens)
        form = QFormLayout()
        self.equal_params = QRadioButton(
            f"equal parameters (as an LSTM of {layers} × {hidden_size})",
            objectName="raceEqualParams",
        )
        self.equal_params.setToolTip(
            "Each cell's hidden size is chosen so its parameter count is within 5% of the "
            "LSTM's: a fair fight for memory per parameter"
        )
        self.equal_hidden = QRadioButton(
            f"equal hidden size ({hidden_size})", objectName="raceEqualHidden"
        )
        self.equal_hidden.setToolTip("Every cell with the same number of units: the LSTM then "
                                     "has four times the vanilla RNN's weights")  # fmt: skip
        group = QButtonGroup(self)
        for button in (self.equal_params, self.equal_hidden):
            group.addButton(button)
        self.equal_params.setChecked(True)
        form.addRow("Models:", self.equal_params)
        form.addRow("", self.equal_hidden)
        budget = QHBoxLayout()
        self.budget_kind = QComboBox(objectName="raceBudgetCombo")
        self.budget_kind.addItem("seconds each", "seconds")
        self.budget_kind.addItem("steps each", "steps")
        self.budget_kind.addItem("until stopped", "none")
        self.seconds = QDoubleSpinBox(objectName="raceSecondsSpin", decimals=0)
        self.seconds.setRange(1, 86_400)
        self.seconds.setValue(60)
        self.steps = QSpinBox(objectName="raceStepsSpin")
        self.steps.setRange(1, 10_000_000)
        self.steps.setValue(1_000)
        self.steps.setSingleStep(100)
        for widget in (self.seconds, self.steps, self.budget_kind):
            budget.addWidget(widget)
        self.budget_kind.currentIndexChanged.connect(self._show_budget)
        form.addRow("Budget:", budget)
        self.seed = QSpinBox(objectName="raceSeedSpin")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(seed)
        self.seed.setToolTip("Every run starts from this seed: same batches, comparable starts")
        form.addRow("Seed:", self.seed)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start the race")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._show_budget()

    def choice(self) -> RaceChoice:
        kind = self.budget_kind.currentData()
        return RaceChoice(
            cells=tuple(cell for cell, box in self.cell_boxes.items() if box.isChecked()),
            equal="params" if self.equal_params.isChecked() else "hidden",
            steps=self.steps.value() if kind == "steps" else None,
            seconds=self.seconds.value() if kind == "seconds" else None,
            seed=self.seed.value(),
            tokens=tuple(unit for unit, box in self.unit_boxes.items() if box.isChecked()),
        )

    def _show_budget(self) -> None:
        kind = self.budget_kind.currentData()
        self.seconds.setVisible(kind == "seconds")
        self.steps.setVisible(kind == "steps")

    def _check(self) -> None:
        """At least one cell and one unit (a race of none has nothing to start), and at most
        MAX_RUNS runs in all."""
        cells = sum(box.isChecked() for box in self.cell_boxes.values())
        units = sum(box.isChecked() for box in self.unit_boxes.values())
        too_many = cells * units > MAX_RUNS
        self.too_many.setText(f"{cells} × {units} runs: at most {MAX_RUNS}" if too_many else "")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(cells > 0 and units > 0 and not too_many)
