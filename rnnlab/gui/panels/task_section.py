"""The task part of the corpus panel: the distance T and what the chosen task asks.

A synthetic task (``rnnlab.core.tasks``) puts the evidence for its answer about T steps back, so
the distance slider is the lesson's dial: a vanilla RNN answers at T = 5 and falls to chance by
T = 50, where an LSTM still answers. Torch-free, as every panel.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QVBoxLayout, QWidget

from rnnlab.core.tasks import DEFAULT_LENGTH, SQUARED_ERROR, Task

SLIDER_RANGE = (5, 200)  # the range: from easy for every cell to hard for all
EXAMPLES = 3  # sequences shown as examples
SETTLE_MS = 300  # dragging the slider asks for new data once it rests, not at every pixel


def render_sequence(task: Task, inputs: np.ndarray, marks: np.ndarray, keep: int = 40) -> str:
    """One sequence as HTML: symbols as they are, adding's values rounded to one decimal; the
    positions the answer depends on in bold and underlined (not by colour alone). A sequence
    longer than ``keep`` shows its start, its end and its marked positions, with "…" for the
    rest, so T = 200 stays a few lines."""
    if task.spec.input_size:  # adding: (L, 2) values and markers
        pieces = [f"{value:.1f}" for value in inputs[:, 0]]
    else:
        pieces = [task.spec.symbols[int(code)] for code in inputs]
    count = len(pieces)
    shown_positions = set(range(count)) if count <= keep else (
        set(range(10)) | set(range(count - 5, count))
        | {near for position in np.flatnonzero(marks) for near in (position - 1, position,
                                                                    position + 1)}
    )  # fmt: skip
    shown, skipped = [], 0
    for position, (piece, marked) in enumerate(zip(pieces, marks)):
        if position not in shown_positions:
            skipped += 1
            continue
        if skipped:
            shown.append(f"<i>…{skipped}…</i>")
            skipped = 0
        shown.append(f"<b><u>{html.escape(piece)}</u></b>" if marked else html.escape(piece))
    return " ".join(shown) if task.spec.input_size or count > keep else "".join(shown)


def render_answer(task: Task, target: float | int) -> str:
    if task.spec.loss == SQUARED_ERROR:
        return f"{float(target):.2f}"
    return task.spec.classes[int(target)]


class TaskSection(QWidget):
    """The distance T (``taskLengthSlider`` and ``taskLengthSpin``) and the task's facts."""

    lengthChanged = Signal(int)  # T, once the slider rests or the spin box is set

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tip = (
            "<p><b>Distance T</b>: how far back the evidence for the answer lies. Changing it "
            "makes new sequences; runs keep their weights, so you can train at T = 5 and then "
            "make it harder.</p><p>A vanilla RNN's gradient fades by a constant factor per step "
            "back, so by T = 50 almost nothing of it reaches the evidence; an LSTM's forget gate "
            "lets it through.</p>"
        )
        self.taskLengthSlider = QSlider(Qt.Orientation.Horizontal, objectName="taskLengthSlider")
        self.taskLengthSpin = QSpinBox(objectName="taskLengthSpin")
        for control in (self.taskLengthSlider, self.taskLengthSpin):
            control.setRange(*SLIDER_RANGE)
            control.setValue(DEFAULT_LENGTH)
            control.setToolTip(tip)
        self.taskLengthSlider.setPageStep(5)
        self.taskLengthSpin.setKeyboardTracking(False)  # typing "120" is not 1, 12 then 120
        label = QLabel("Di&stance T:")  # Alt+S: D, T and A belong to other controls
        label.setBuddy(self.taskLengthSpin)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.taskLengthSlider, 1)
        row.addWidget(self.taskLengthSpin)

        self.taskInfo = QLabel(objectName="taskInfo")
        self.taskInfo.setWordWrap(True)
        self.taskInfo.setTextFormat(Qt.TextFormat.RichText)
        self.taskInfo.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.taskExamples = QLabel(objectName="taskExamples")
        self.taskExamples.setWordWrap(True)
        self.taskExamples.setTextFormat(Qt.TextFormat.RichText)
        self.taskExamples.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.taskInfo)
        layout.addWidget(self.taskExamples, 1)

        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._emit_length)
        self.taskLengthSlider.valueChanged.connect(self._on_slider)
        self.taskLengthSpin.valueChanged.connect(self._on_spin)

    def length(self) -> int:
        return self.taskLengthSpin.value()

    def set_length(self, length: int) -> None:
        """Show T without asking for new data (the window already has it)."""
        for control in (self.taskLengthSlider, self.taskLengthSpin):
            control.blockSignals(True)
            control.setValue(length)
            control.blockSignals(False)

    def show_task(self, task: Task) -> None:
        spec = task.spec
        self.set_length(task.length)
        rows = [
            ("Task", html.escape(spec.name)),
            ("Asks", html.escape(spec.description)),
            ("Sequence", f"{spec.sequence_length(task.length)} steps, one backpropagation window"),
            ("Loss", html.escape(spec.loss) + (" (nats)" if spec.loss != SQUARED_ERROR else "")),
            ("Chance", f"{spec.chance:.3f}: the best answer that ignores the inputs"),
        ]
        cells = "".join(
            f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>" for name, value in rows
        )
        self.taskInfo.setText(f"<table cellspacing='0' cellpadding='1'>{cells}</table>")
        inputs, targets, marks = task.generate(np.random.default_rng(0), EXAMPLES)
        examples = [
            f"{render_sequence(task, inputs[row], marks[row])} → "
            f"<b>{html.escape(render_answer(task, targets[row, -1]))}</b>"
            for row in range(EXAMPLES)
        ]
        self.taskExamples.setText(
            "<p><b>Examples</b> (what the answer depends on is <b><u>bold and underlined</u></b>):"
            "</p>" + "".join(f"<p>{example}</p>" for example in examples)
        )

    def _on_slider(self, value: int) -> None:
        self.taskLengthSpin.blockSignals(True)
        self.taskLengthSpin.setValue(value)
        self.taskLengthSpin.blockSignals(False)
        self._settle.start()

    def _on_spin(self, value: int) -> None:
        self.taskLengthSlider.blockSignals(True)
        self.taskLengthSlider.setValue(value)
        self.taskLengthSlider.blockSignals(False)
        self._emit_length()

    def _emit_length(self) -> None:
        self._settle.stop()
        self.lengthChanged.emit(self.length())
