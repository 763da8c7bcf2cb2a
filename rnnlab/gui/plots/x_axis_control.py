"""What the training plots count along their x axis: steps, characters seen or training seconds.
A combo box above the loss plot, beside the smoothing slider.

Each axis tells a different truth about a comparison: by steps the LSTM learns more per update,
by seconds a cheaper cell can lead for a while. The tooltips say so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from rnnlab.gui.plots.run_series import TASK_X_AXIS_LABELS, X_AXES, X_AXIS_LABELS

TIPS = {
    "step": (
        "Training steps (optimizer updates): runs compared at the same number of updates. "
        "A cell that does more per step leads here even if each step takes longer."
    ),
    "chars": (
        "Characters of training text the run has read (steps × batch size × sequence "
        "length): compares runs with different batch sizes or sequence lengths by the data "
        "they used."
    ),
    "seconds": (
        "Time spent training this run, without pauses, validation or probes: by seconds a "
        "fast cell can lead although it learns less per step."
    ),
}
TIP = "What the loss and gradient-norm plots count along the bottom (Alt+A)."


class XAxisControl(QWidget):
    xAxisChanged = Signal(str)  # "step", "chars" or "seconds"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="xAxisControl")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        label = QLabel("X &axis")
        self.combo = QComboBox(objectName="xAxisCombo")
        for index, kind in enumerate(X_AXES):
            self.combo.addItem(X_AXIS_LABELS[kind], kind)
            self.combo.setItemData(index, TIPS[kind], Qt.ItemDataRole.ToolTipRole)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label.setBuddy(self.combo)  # Alt+A moves the focus to the combo (A: no other owner)
        label.setToolTip(TIP)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        self.combo.currentIndexChanged.connect(self._on_index)
        self._show_tip()

    def x_axis(self) -> str:
        return str(self.combo.currentData())

    def set_counting_answers(self, on: bool) -> None:
        """On a task, "characters seen" is the sequences answered (one answer each)."""
        labels = TASK_X_AXIS_LABELS if on else X_AXIS_LABELS
        for index, kind in enumerate(X_AXES):
            self.combo.setItemText(index, labels[kind])

    def set_x_axis(self, kind: str) -> None:
        """Choose the axis (a restored setting); emits xAxisChanged if it changes."""
        if kind not in X_AXES:
            raise ValueError(f"unknown x axis {kind!r}; expected one of {', '.join(X_AXES)}")
        self.combo.setCurrentIndex(X_AXES.index(kind))

    def _on_index(self) -> None:
        self._show_tip()
        self.xAxisChanged.emit(self.x_axis())

    def _show_tip(self) -> None:
        # The closed combo explains what it shows now; each item in the list explains itself.
        self.combo.setToolTip(f"{TIPS[self.x_axis()]}\n\n{TIP}")
