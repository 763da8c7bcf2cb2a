"""The probe bar: which text the model is probed on, which layer the views show, probe now.

The text is checked as it is typed (length, characters the model knows) and sent after a short
pause in typing, so the training thread is not asked to probe every keystroke.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rnnlab.core.probe_result import MAX_PROBE_CHARS, MIN_PROBE_CHARS
from rnnlab.core.vocabulary import Vocabulary
from rnnlab.gui.widgets.form_controls import SignalsBlocked

TYPING_PAUSE_MS = 600


class ProbeBar(QWidget):
    textChanged = Signal(str)  # a valid probe text, after a pause in typing
    layerChanged = Signal(int)  # 0-based
    probeClicked = Signal()
    defaultClicked = Signal()  # the user asks for the validation excerpt again
    newSequenceClicked = Signal()  # on a task: probe another generated sequence

    def __init__(self) -> None:
        super().__init__(objectName="probeBar")
        self._vocabulary: Vocabulary | None = None
        self.text_edit = QPlainTextEdit(objectName="probeTextEdit")
        self._text_tip = (
            "The text the model is probed on: every view below shows the model reading it.\n"
            f"{MIN_PROBE_CHARS}–{MAX_PROBE_CHARS} characters the corpus contains. By default "
            "an excerpt of the validation text, which the model never trains on."
        )
        self.text_edit.setToolTip(self._text_tip)
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.textChanged.connect(self._on_edited)
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._send)
        self.status = QLabel(objectName="probeStatus")
        self.status.setWordWrap(True)
        self.layer_combo = QComboBox(objectName="layerCombo")
        self.layer_combo.setToolTip(
            "Which layer the gate, saturation and neuron views show, and the layer at which\n"
            "the gradient flow and σ_max plots compare runs"
        )
        self.layer_combo.currentIndexChanged.connect(self._on_layer)
        self.probe_button = QPushButton("&Probe now", objectName="probeButton")
        self.probe_button.setShortcut(QKeySequence("Ctrl+I"))
        self.probe_button.setToolTip(
            "Look inside the current weights now (Ctrl+I). While training, probes also run by "
            "themselves, taking at most about 4 % of the training time."
        )
        self.probe_button.clicked.connect(self.probeClicked)
        self.default_button = QPushButton("&Validation excerpt", objectName="probeDefaultButton")
        self.default_button.setToolTip("Probe an excerpt of the held-out validation text again")
        self.default_button.clicked.connect(self.defaultClicked)
        self.new_sequence_button = QPushButton("&New sequence", objectName="newSequenceButton")
        self.new_sequence_button.setToolTip(
            "Probe another sequence of the task: each has its evidence at other positions"
        )
        self.new_sequence_button.clicked.connect(self.newSequenceClicked)
        self.new_sequence_button.setVisible(False)

        controls = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel("&Layer", buddy=self.layer_combo))
        row.addWidget(self.layer_combo, stretch=1)
        controls.addLayout(row)
        controls.addWidget(self.probe_button)
        controls.addWidget(self.default_button)
        controls.addWidget(self.new_sequence_button)
        controls.addStretch(1)
        text_column = QVBoxLayout()
        text_column.addWidget(QLabel("Probe &text", buddy=self.text_edit))
        text_column.addWidget(self.text_edit)
        text_column.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(text_column, stretch=1)
        layout.addLayout(controls)
        self.set_layers(1)
        self.set_font_scale(1.0)

    # ---- from the window ---------------------------------------------------------------------

    def set_vocabulary(self, vocabulary: Vocabulary | None) -> None:
        self._vocabulary = vocabulary

    def set_task_mode(self, on: bool) -> None:
        """On a task the probe is a generated sequence: shown, not typed; "New sequence" draws
        another in place of the validation excerpt."""
        self.text_edit.setReadOnly(on)
        self.default_button.setVisible(not on)
        self.new_sequence_button.setVisible(on)
        self.text_edit.setToolTip(
            "The task sequence the model is probed on (what its answer depends on is listed "
            "below). New sequence draws another." if on else self._text_tip
        )

    def set_text(self, text: str) -> None:
        """Show ``text`` without sending it (the window sends it itself)."""
        with SignalsBlocked(self.text_edit):
            self.text_edit.setPlainText(text)
        self._typing.stop()
        self.show_status(self._problem(text) or f"{len(text)} characters")

    def text(self) -> str:
        return self.text_edit.toPlainText()

    def set_layers(self, count: int) -> None:
        """Offer layers 1..count, keeping the chosen one where it still exists."""
        if count == self.layer_combo.count():
            return
        current = max(self.layer_combo.currentIndex(), 0)
        with SignalsBlocked(self.layer_combo):
            self.layer_combo.clear()
            self.layer_combo.addItems([f"layer {index + 1}" for index in range(count)])
            self.layer_combo.setCurrentIndex(min(current, count - 1))
        if self.layer_combo.currentIndex() != current:
            self.layerChanged.emit(self.layer_combo.currentIndex())

    def sending(self) -> bool:
        """Whether an edited text waits for the typing pause to be sent."""
        return self._typing.isActive()

    def layer(self) -> int:
        return max(self.layer_combo.currentIndex(), 0)

    def show_status(self, message: str, error: bool = False) -> None:
        self.status.setText(message)
        self.status.setStyleSheet("color: #d9480f; font-weight: bold;" if error else "")

    def set_font_scale(self, scale: float) -> None:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * scale)
        self.text_edit.setFont(font)
        # Three lines show the text's shape; on a projector two, for the views' sake.
        lines = 3 if scale <= 1.0 else 2
        line = QFontMetrics(font).lineSpacing()
        self.text_edit.setFixedHeight(int(line * (lines + 0.4)) + 10)

    # ---- internals ---------------------------------------------------------------------------

    def _problem(self, text: str) -> str:
        if len(text) < MIN_PROBE_CHARS:
            return f"the probe text needs at least {MIN_PROBE_CHARS} characters"
        if len(text) > MAX_PROBE_CHARS:
            return f"the probe text has {len(text)} characters: at most {MAX_PROBE_CHARS}"
        unknown = self._vocabulary.unknown(text) if self._vocabulary is not None else []
        if unknown:
            listed = " ".join(repr(char) for char in unknown[:10])
            return f"characters the corpus does not have (the model cannot read them): {listed}"
        return ""

    @Slot()
    def _on_edited(self) -> None:
        problem = self._problem(self.text())
        self.show_status(problem or f"{len(self.text())} characters", error=bool(problem))
        if problem:
            self._typing.stop()
        else:
            self._typing.start()

    @Slot()
    def _send(self) -> None:
        if not self._problem(self.text()):
            self.textChanged.emit(self.text())

    @Slot(int)
    def _on_layer(self, index: int) -> None:
        if index >= 0:
            self.layerChanged.emit(index)
