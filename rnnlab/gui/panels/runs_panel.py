"""The runs panel: the runs table with the buttons that make, race, copy and delete runs."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from rnnlab.gui.panels.runs_table import RunsTable


class RunsPanel(QWidget):
    newRunClicked = Signal()
    raceClicked = Signal()
    duplicateClicked = Signal()
    deleteClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runsPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons_made = (
            ("new_run_button", "newRunButton", "Ne&w run",
             "Start a new run from the Model panel's settings (the current run keeps its "
             "weights and curves)", self.newRunClicked),
            ("race_button", "raceButton", "Race…",
             "Race cell types on the same batches with equal parameters: RNN against LSTM, "
             "GRU and SRU", self.raceClicked),
            ("duplicate_button", "duplicateRunButton", "D&uplicate",
             "Copy the selected run where it stands (weights, optimiser, curves): go on from "
             "the same point with other settings, e.g. clipping on and off",
             self.duplicateClicked),
            ("delete_button", "deleteRunButton", "Delete",
             "Delete the selected run (asks if it is not saved)", self.deleteClicked),
        )  # fmt: skip
        for attribute, name, text, tip, signal in buttons_made:
            button = QPushButton(text, objectName=name)
            button.setToolTip(tip)
            button.clicked.connect(signal)
            buttons.addWidget(button)
            setattr(self, attribute, button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = RunsTable()
        layout.addWidget(self.table, stretch=1)

    def rows_height(self) -> int:
        """The height that shows the buttons, the table's header and every run's row (one row
        at least), and no more; at least the panel's smallest height."""
        table = self.table
        rows = max(table.rowCount(), 1) * table.verticalHeader().defaultSectionSize()
        layout = self.layout()
        buttons = layout.itemAt(0).sizeHint().height() + layout.spacing()
        scroll = table.horizontalScrollBar()
        bar = scroll.sizeHint().height() if scroll.isVisible() else 0
        header = table.horizontalHeader().sizeHint().height()  # its height lags a font change
        needed = buttons + header + rows + 2 * table.frameWidth() + bar
        return max(needed, self.minimumSizeHint().height())
