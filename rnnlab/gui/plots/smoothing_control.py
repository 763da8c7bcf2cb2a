"""How much the loss plot smooths: a slider above the plot, as TensorBoard and W&B have one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

# The smoothed loss is an exponential moving average with this weight on the past: it lags the
# raw curve by about w / (1 - w) steps, 4 at 0.8 (0.98 lagged 0.3 nats behind a falling loss
# at step 100), and still cuts the step-to-step noise to a third.
DEFAULT_SMOOTHING = 0.8
SMOOTHING_STEPS = 100  # the slider's positions: 0.00, 0.01, ..., 0.99
TIP = (
    "Smoothing of the thick loss curve: each point is a moving average giving this weight to the "
    "past. 0 shows the raw loss; higher is calmer but lags a falling loss by about w / (1 − w) "
    "steps. The faint curve is always the raw loss."
)


class SmoothingControl(QWidget):
    smoothingChanged = Signal(float)  # 0 = the raw loss, up to 0.99

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="smoothingControl")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        label = QLabel("Loss smoothi&ng")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="smoothingSlider")
        self.slider.setRange(0, SMOOTHING_STEPS - 1)
        self.slider.setPageStep(10)
        self.slider.setMinimumWidth(120)
        self.value_label = QLabel(objectName="smoothingValue")
        label.setBuddy(self.slider)  # Alt+N moves the focus to the slider (N: no other owner)
        for widget in (label, self.slider, self.value_label):
            widget.setToolTip(TIP)
            layout.addWidget(widget)
        layout.addStretch(1)
        self.slider.valueChanged.connect(self._on_slider)
        self.set_smoothing(DEFAULT_SMOOTHING)

    def smoothing(self) -> float:
        return self.slider.value() / SMOOTHING_STEPS

    def set_smoothing(self, value: float) -> None:
        """Move the slider (a restored setting); emits smoothingChanged if it moves."""
        self.slider.setValue(round(min(max(value, 0.0), 0.99) * SMOOTHING_STEPS))
        self._show()

    def _on_slider(self) -> None:
        self._show()
        self.smoothingChanged.emit(self.smoothing())

    def _show(self) -> None:
        self.value_label.setText(f"{self.smoothing():.2f}")
