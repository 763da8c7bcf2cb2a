"""The race dialog: which cells race, on equal parameters or equal hidden size, for how long.

A view only: ``choice()`` gives what the user picked; the window makes the runs
(``rnnlab.core.race``) and trains them in turns in its one training thread.
"""

from __future__ import annotations

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


class RaceDialog(QDialog):
    def __init__(self, hidden_size: int, layers: int, seed: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("raceDialog")
        self.setWindowTitle("Race cell types")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Each cell becomes a run. They train in turns on the same batches, from the same "
            "seed, and each gets the same share of training time."
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
        )

    def _show_budget(self) -> None:
        kind = self.budget_kind.currentData()
        self.seconds.setVisible(kind == "seconds")
        self.steps.setVisible(kind == "steps")

    def _check(self) -> None:
        """At least one cell: a race of none has nothing to start."""
        chosen = any(box.isChecked() for box in self.cell_boxes.values())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(chosen)
