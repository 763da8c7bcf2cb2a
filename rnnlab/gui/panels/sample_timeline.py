"""Samples over training: the sample panel's timeline and when it adds to it.

Every few seconds of the clock, or at a schedule of training steps ("100, 300, 500, 700, 1200,
2000", as a lecture shows a model learning to write). Seconds suit a live demonstration; steps
make two runs, or two classes, comparable: a model at step 500 is the same model however fast
the machine. For steps the training thread takes a weight snapshot right after each scheduled
step (``stepsWanted`` tells the window which), so an entry is exactly that step's model.

What to sample (the run, the prime, the settings) is the panel's: this widget says when
(``due``, or ``wants_step``) and shows what it is given (``add``).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from rnnlab.gui.panels.sample_texts import TIPS
from rnnlab.gui.widgets.form_controls import named

EVERY, AT_STEPS = "every", "at steps"  # the mode combo's items, as a lesson sets them
DEFAULT_STEPS = "100, 300, 500, 700, 1200, 2000"
MAX_SCHEDULED = 100  # entries in one schedule: a timeline, not a log
_SEPARATORS = re.compile(r"[\s,;]+")


def parse_steps(text: str) -> tuple[int, ...]:
    """Training steps from "100, 300, 500" (commas, semicolons or spaces), sorted and without
    repeats; ValueError naming what is wrong."""
    words = [word for word in _SEPARATORS.split(text.strip()) if word]
    if not words:
        raise ValueError("give the steps to sample at, e.g. 100, 300, 500")
    steps = set()
    for word in words:
        if not word.isascii() or not word.isdigit() or int(word) < 1:
            raise ValueError(f"{word!r} is not a step: steps are whole numbers from 1")
        steps.add(int(word))
    if len(steps) > MAX_SCHEDULED:
        raise ValueError(f"at most {MAX_SCHEDULED} steps, got {len(steps)}")
    return tuple(sorted(steps))


class SampleTimeline(QWidget):
    """``due`` asks for an entry now (the seconds mode's timer); ``stepsWanted`` gives the steps
    whose weights the timeline needs from training (empty when it needs none)."""

    due = Signal()
    stepsWanted = Signal(object)  # frozenset[int]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._steps: tuple[int, ...] = parse_steps(DEFAULT_STEPS)
        self._sampled: set[int] = set()  # scheduled steps with an entry: each once
        self._wanted: frozenset[int] = frozenset()  # the steps training was last asked for
        self._build()
        self._timer = QTimer(self, interval=self.autoSampleSeconds.value() * 1000)
        self._timer.timeout.connect(self.due)
        self.autoSampleCheck.toggled.connect(self._update)
        self.autoSampleModeCombo.currentIndexChanged.connect(self._update)
        self.autoSampleSeconds.valueChanged.connect(self._update)
        self.autoSampleStepsEdit.editingFinished.connect(self._update)
        self.autoSampleStepsEdit.textChanged.connect(self._steps_edited)
        self._update()

    def _add(self, widget: QWidget, name: str) -> QWidget:
        return named(widget, name, TIPS)

    def _build(self) -> None:
        self.autoSampleCheck = self._add(QCheckBox("Auto-sample"), "autoSampleCheck")
        self.autoSampleModeCombo = self._add(QComboBox(), "autoSampleModeCombo")
        self.autoSampleModeCombo.addItems([EVERY, AT_STEPS])
        seconds = QSpinBox(minimum=1, maximum=3600, value=10, suffix=" s")
        self.autoSampleSeconds = self._add(seconds, "autoSampleSeconds")
        self.autoSampleStepsEdit = self._add(QLineEdit(DEFAULT_STEPS), "autoSampleStepsEdit")
        self.stepsWarning = QLabel(objectName="autoSampleStepsWarning", wordWrap=True)
        self.sampleTimeline = self._add(QPlainTextEdit(readOnly=True), "sampleTimeline")
        self.sampleTimeline.setPlaceholderText("Check Auto-sample to see the text improve.")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The title on a row of its own: beside the controls it was cut off in presentation mode.
        layout.addWidget(QLabel("Samples over training"), 0, 0, 1, 4)
        layout.addWidget(self.autoSampleCheck, 1, 0)
        layout.addWidget(self.autoSampleModeCombo, 1, 1)
        layout.addWidget(self.autoSampleSeconds, 1, 2)
        layout.addWidget(self.autoSampleStepsEdit, 1, 2, 1, 2)  # one of the two shows
        layout.addWidget(self.stepsWarning, 2, 0, 1, 4)
        layout.addWidget(self.sampleTimeline, 3, 0, 1, 4)
        layout.setColumnStretch(3, 1)

    # ---- what the panel asks -------------------------------------------------------------------

    def at_steps(self) -> bool:
        return self.autoSampleModeCombo.currentText() == AT_STEPS

    def scheduled_steps(self) -> tuple[int, ...]:
        """The schedule (the last valid one while the field holds a mistake)."""
        return self._steps

    def wants_step(self, step: int) -> bool:
        """Whether weights at ``step`` make a timeline entry: on, at steps, a scheduled step
        without an entry yet."""
        checked = self.autoSampleCheck.isChecked()
        return checked and self.at_steps() and step in self._steps and step not in self._sampled

    def add(self, step: int, text: str) -> None:
        """An entry: the model at ``step`` wrote ``text``."""
        self._sampled.add(step)
        self.sampleTimeline.appendPlainText(f"step {step}: {text.replace(chr(10), '⏎')}")

    def forget_after(self, step: int) -> None:
        """Weights at ``step`` arrived: entries of later steps were of another model (a reset
        run, or another run), so those steps sample again when this one reaches them."""
        self._sampled = {sampled for sampled in self._sampled if sampled <= step}

    def text(self) -> str:
        return self.sampleTimeline.toPlainText()

    # ---- reacting to the controls --------------------------------------------------------------

    def _steps_edited(self, text: str) -> None:
        """Check the schedule as it is typed; it applies when valid (a lesson's ``set`` too)."""
        try:
            steps = parse_steps(text)
        except ValueError as error:
            self.stepsWarning.setText(f"⚠ {error}")
            self.stepsWarning.setVisible(self.at_steps())
            return
        self.stepsWarning.clear()
        self.stepsWarning.hide()
        if steps != self._steps:
            self._steps = steps
            self._update()

    def _update(self) -> None:
        at_steps = self.at_steps()
        self.autoSampleSeconds.setVisible(not at_steps)
        self.autoSampleStepsEdit.setVisible(at_steps)
        self.stepsWarning.setVisible(at_steps and bool(self.stepsWarning.text()))
        self._timer.setInterval(self.autoSampleSeconds.value() * 1000)
        on = self.autoSampleCheck.isChecked()
        if on and not at_steps:
            if not self._timer.isActive():
                self._timer.start()
                self.due.emit()  # one at once: waiting N seconds for the first looks broken
        else:
            self._timer.stop()
        wanted = frozenset(self._steps) if on and at_steps else frozenset()
        if wanted != self._wanted:
            self._wanted = wanted
            self.stepsWanted.emit(wanted)
