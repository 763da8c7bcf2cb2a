"""The training controls above the plots: Train, Pause/Resume, Step, Stop, Reset, a budget and
a progress bar with the time left, and the loss unit.

Buttons carry Qt's standard media icons rather than symbol characters: a glyph such as ⏸ is
missing from common fonts and shows as a box, an icon always renders."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from rnnlab.gui.plots.task_mode import LossTask

UNITS = (
    ("nats/char", "nats"), ("bits/char", "bits"), ("perplexity", "perplexity"),
    ("nats/token", "token"),
)  # fmt: skip
_TASK_LOSS = "task"  # the unit menu's item while the runs are on a task
Icon = QStyle.StandardPixmap


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(max(seconds, 0.0)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TrainingBar(QWidget):
    trainClicked = Signal()
    pauseClicked = Signal()  # pause or resume, by the current state
    stepClicked = Signal()
    stopClicked = Signal()
    resetClicked = Signal()
    unitChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Two rows (controls; budget and progress), so the bar stays narrow enough for a
        # 1920-pixel projector in presentation mode.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(4, 4, 4, 4)
        layout = QHBoxLayout()
        budget_row = QHBoxLayout()
        rows.addLayout(layout)
        rows.addLayout(budget_row)
        self.train_button = self._button(
            "trainButton", "Train", self.trainClicked, "Start or continue training (Ctrl+Return)"
        )
        self.pause_button = self._button(
            "pauseButton", "Pause", self.pauseClicked, "Pause or resume training (Space)"
        )
        self.step_button = self._button(
            "stepButton",
            "Step once",
            self.stepClicked,
            "Take exactly one training step, then stay paused: watch what a single update does",
        )
        self.stop_button = self._button(
            "stopButton", "Stop", self.stopClicked, "Stop training; Train continues from here"
        )
        self.reset_button = self._button(
            "resetButton",
            "Reset weights",
            self.resetClicked,
            "Forget the trained model: the next Train starts from new random weights",
        )
        for button in (
            self.train_button,
            self.pause_button,
            self.step_button,
            self.stop_button,
            self.reset_button,
        ):
            layout.addWidget(button)
        self.train_button.setIcon(self._icon(Icon.SP_MediaPlay))
        self.step_button.setIcon(self._icon(Icon.SP_MediaSeekForward))
        self.stop_button.setIcon(self._icon(Icon.SP_MediaStop))
        layout.addStretch(1)
        budget_row.addWidget(QLabel("Budget:"))
        self.steps_budget = QSpinBox(objectName="stepsBudgetSpin")
        self.steps_budget.setRange(0, 10_000_000)
        self.steps_budget.setSpecialValueText("∞ steps")
        self.steps_budget.setSuffix(" steps")
        self.steps_budget.setSingleStep(500)
        self.steps_budget.setToolTip("Stop after this many steps (∞: train until you stop it)")
        self.minutes_budget = QSpinBox(objectName="minutesBudgetSpin")
        self.minutes_budget.setRange(0, 10_000)
        self.minutes_budget.setSpecialValueText("∞ min")
        self.minutes_budget.setSuffix(" min")
        self.minutes_budget.setToolTip("Stop after this many minutes of training (∞: no limit)")
        budget_row.addWidget(self.steps_budget)
        budget_row.addWidget(self.minutes_budget)
        self.progress = QProgressBar(objectName="trainingProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setMinimumWidth(120)
        budget_row.addWidget(self.progress, stretch=1)
        self.unit_combo = QComboBox(objectName="lossUnitCombo")
        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for label, unit in UNITS:
            self.unit_combo.addItem(label, unit)
        self.unit_combo.setToolTip(
            "<p>Loss unit: nats/char (natural log), bits/char (log base 2: nats / ln 2), or "
            "perplexity (e^nats: as if choosing among that many characters uniformly). Runs of "
            "words or BPE pieces are counted per character of the text their tokens spell, so "
            "every run compares. nats/token: each run in its own unit, as it trains (a word run's "
            "token is several characters: its per-token loss is not comparable with a character "
            "run's).</p>"
        )
        self.unit_combo.currentIndexChanged.connect(
            lambda: self.unitChanged.emit(self.unit_combo.currentData())
        )
        layout.addWidget(self.unit_combo)
        self._unit_tip = self.unit_combo.toolTip()
        self._text_unit = "nats"  # the choice to come back to after a task
        self._waiting = False
        self.set_state("stopped", has_model=False)

    def _icon(self, which: QStyle.StandardPixmap) -> QIcon:
        return self.style().standardIcon(which)

    def _button(self, name: str, text: str, signal: Signal, tip: str) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Space must reach the window's action
        button.clicked.connect(signal.emit)
        return button

    def budget(self) -> tuple[int | None, float | None]:
        """(steps, seconds) of the next run; None where unlimited."""
        steps = self.steps_budget.value() or None
        minutes = self.minutes_budget.value()
        return steps, (minutes * 60.0 if minutes else None)

    def set_loss_task(self, task: LossTask | None) -> None:
        """On a task the loss is the task's own: the unit menu shows it ("squared error"),
        disabled, and its tooltip says why; back on text it offers the units again, with the
        one chosen before. Nothing is emitted: the plot changes its unit by itself."""
        combo = self.unit_combo
        blocked = combo.blockSignals(True)
        if combo.currentData() != _TASK_LOSS:
            self._text_unit = combo.currentData()
        if combo.findData(_TASK_LOSS) >= 0:
            combo.removeItem(combo.findData(_TASK_LOSS))
        if task is not None:
            combo.addItem(task.axis_label(), _TASK_LOSS)
        combo.setCurrentIndex(combo.findData(_TASK_LOSS if task else self._text_unit))
        combo.blockSignals(blocked)
        combo.setEnabled(task is None)
        combo.setToolTip(task.unit_tip() if task else self._unit_tip)

    def show_waiting(self, text: str) -> None:
        """Train was pressed before the corpus is in: say so; the next set_state ends it."""
        self._waiting = True
        self.train_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.setFormat(text)

    def is_waiting(self) -> bool:
        return self._waiting

    def set_state(self, state: str, has_model: bool) -> None:
        if self._waiting:
            self._waiting = False
            self.progress.setFormat("")
        running = state in ("running", "paused")
        self.train_button.setEnabled(not running)
        self.train_button.setText("Continue" if has_model and not running else "Train")
        self.pause_button.setEnabled(running)
        paused = state == "paused"
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setIcon(self._icon(Icon.SP_MediaPlay if paused else Icon.SP_MediaPause))
        self.step_button.setEnabled(state == "paused" or not running)
        self.stop_button.setEnabled(running)
        self.reset_button.setEnabled(has_model)
        self.steps_budget.setEnabled(not running)
        self.minutes_budget.setEnabled(not running)

    def show_progress(
        self, done_steps: int, elapsed: float, steps: int | None, seconds: float | None
    ) -> None:
        """Fill the bar from the budget; the text gives the time left."""
        fractions = []
        if steps:
            fractions.append(done_steps / steps)
        if seconds:
            fractions.append(elapsed / seconds)
        if not fractions:
            self.progress.setValue(0)
            self.progress.setFormat(f"{_clock(elapsed)} elapsed")
            return
        fraction = min(max(fractions), 1.0)
        self.progress.setValue(int(fraction * 1000))
        left = elapsed / fraction - elapsed if fraction > 0 else 0.0
        self.progress.setFormat(f"{fraction:.0%} · ETA {_clock(left)}")
