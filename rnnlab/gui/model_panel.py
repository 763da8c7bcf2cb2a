"""The model panel: cell, sizes and training settings, with tooltips that teach each one.

The objectNames are an interface (tests and automation find controls by them). Nothing here
imports torch: the parameter count comes from the formulas in ``rnnlab.core.config``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rnnlab.core.config import CLIP_MODES, ModelConfig, TrainConfig, count_parameters
from rnnlab.core.errors import ConfigError

CELLS = (
    ("vanilla RNN (tanh)", "rnn", "h_t = tanh(W x_t + U h_{t−1} + b)"),
    ("vanilla RNN (ReLU)", "rnn-relu", "h_t = max(0, W x_t + U h_{t−1} + b)"),
    (
        "LSTM",
        "lstm",
        "i, f, o = σ(W x_t + U h_{t−1} + b) (one W, U, b per gate)<br>"
        "g = tanh(W_g x_t + U_g h_{t−1} + b_g)<br>c_t = f⊙c_{t−1} + i⊙g<br>h_t = o⊙tanh(c_t)",
    ),
    (
        "GRU",
        "gru",
        "r, z = σ(W x_t + U h_{t−1} + b) (one W, U, b per gate)<br>"
        "n = tanh(W_n x_t + b_in + r⊙(U_n h_{t−1} + b_hn))<br>h_t = (1−z)⊙n + z⊙h_{t−1}",
    ),
    (
        "SRU",
        "sru",
        "f = σ(W_f x_t + v_f⊙c_{t−1} + b_f)<br>r = σ(W_r x_t + v_r⊙c_{t−1} + b_r)<br>"
        "c_t = f⊙c_{t−1} + (1−f)⊙W x_t<br>h_t = r⊙c_t + (1−r)⊙x_t  (Lei et al. 2017)",
    ),
)
CELL_NOTES = {
    "rnn": "The simplest cell. Gradients shrink or explode through time: it forgets fast.",
    "rnn-relu": "Cheaper than tanh, but h is unbounded: without clipping it can blow up.",
    "lstm": "A memory cell c with forget (f), input (i) and output (o) gates: c carries "
    "information over hundreds of steps. The classic char-RNN cell.",
    "gru": "Two gates, no separate memory: close to LSTM quality with 3/4 of its parameters.",
    "sru": "Gates see c_{t−1} only element-wise, so the big matrix products run for all steps "
    "at once: fast on GPUs.",
}

# Each preset: (ModelConfig fields, TrainConfig fields, corpus the window switches to or None).
PRESETS: dict[str, tuple[dict[str, Any], dict[str, Any], str | None]] = {
    # Learns visibly on one laptop core: validation 2.1 nats/char after 15 s, 1.9 after 45 s.
    "Fast demo (CPU)": (
        dict(cell="lstm", layers=1, hidden_size=128, embedding_size=32, dropout=0.0),
        dict(
            batch_size=32,
            seq_len=64,
            optimizer="adam",
            learning_rate=3e-3,
            clip="norm",
            clip_value=5.0,
            threads=1,
        ),
        None,
    ),
    "Quality (GPU)": (
        dict(cell="lstm", layers=3, hidden_size=512, embedding_size=128, dropout=0.2),
        dict(
            batch_size=64,
            seq_len=128,
            optimizer="adam",
            learning_rate=2e-3,
            clip="norm",
            clip_value=5.0,
        ),
        None,
    ),
    # Measured on tinyshakespeare (seeds 1-4 and 1234): the loss falls from 4.2 to 3.2 in about
    # 6 steps, then the gradient norm jumps from ~1 to 10-300 and the loss to 20-400 nats/char
    # (the uniform guess is 4.2) within 10 steps, and stays there for hundreds of steps. The
    # same run with clipping at norm 1 (the threshold kept here) learns: 1.8 after 250 steps.
    # SGD's momentum 0.9 (TrainConfig's default) multiplies the effective step tenfold.
    "Vanilla RNN without clipping (watch it explode)": (
        dict(cell="rnn", layers=1, hidden_size=256, embedding_size=32, dropout=0.0),
        dict(
            batch_size=32,
            seq_len=128,
            optimizer="sgd",
            learning_rate=1.0,
            momentum=0.9,
            clip="none",
            clip_value=1.0,
        ),
        "tinyshakespeare",
    ),
    "Names generator (line mode)": (
        dict(cell="lstm", layers=1, hidden_size=128, embedding_size=32, dropout=0.0),
        dict(
            batch_size=64,
            seq_len=32,
            optimizer="adam",
            learning_rate=3e-3,
            clip="norm",
            clip_value=5.0,
        ),
        "names",
    ),
}
CUSTOM = "Custom"
_STEP = 10**0.25  # one arrow press of the learning rate: four per decade
_PARTIAL_NUMBER = re.compile(r"\+?\d*([.,]\d*)?([eE][+-]?\d*)?")


def _significant(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits - 1}e}")


class LogSpinBox(QDoubleSpinBox):
    """A spin box for values spanning decades: each step multiplies or divides by 10^(1/4)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(12)  # QDoubleSpinBox rounds its value to this many decimals
        self.setRange(1e-5, 10.0)

    def stepBy(self, steps: int) -> None:
        # Steps land on 1, 1.78, 3.16, 5.62 x 10^k; a value between them moves to the next one.
        position = 4 * math.log10(max(self.value(), 1e-300))
        nearest = round(position)
        if abs(position - nearest) < 0.01:
            target = nearest + steps
        else:
            target = math.floor(position) + steps + (0 if steps > 0 else 1)
        value = _significant(10 ** (target / 4))
        self.setValue(min(max(value, self.minimum()), self.maximum()))

    def textFromValue(self, value: float) -> str:
        if value < 0.01:  # "3e-3" reads faster than "0.003" and shows the decade
            mantissa, exponent = f"{value:.2e}".split("e")
            mantissa = mantissa.rstrip("0").rstrip(".")
            return f"{mantissa}e{int(exponent)}"
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int) -> QValidator.State:
        cleaned = text.strip().replace(",", ".")
        try:
            value = float(cleaned)
        except ValueError:
            partial = _PARTIAL_NUMBER.fullmatch(text.strip())
            return QValidator.State.Intermediate if partial else QValidator.State.Invalid
        if cleaned.startswith("-") or not math.isfinite(value):
            return QValidator.State.Invalid  # "-1", "inf", "nan"
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate  # "0" may still become "0.003"

    def fixup(self, text: str) -> str:
        return self.textFromValue(self.value())  # an unfinished entry reverts to the last value


def _spin(name: str, low: int, high: int, step: int = 1) -> QSpinBox:
    spin = QSpinBox(objectName=name)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setAccelerated(True)
    return spin


def _double(name: str, low: float, high: float, step: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName=name)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(2)
    return spin


def _combo(name: str, items: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox(objectName=name)
    for label, value in items:
        combo.addItem(label, value)
    # Long labels (GPU names) must not push the dock wider than ~320 px.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(7)
    return combo


TOOLTIPS = {
    "presetCombo": "Settings for a purpose. <b>Fast demo</b>: learns visibly within a minute on a "
    "CPU. <b>Quality</b>: needs a GPU. <b>Vanilla RNN without clipping</b>: the loss explodes "
    "within seconds; restart with clipping at norm 1 and it learns. <b>Names generator</b>: "
    "one name per line, samples new names.",
    "layersSpin": "Recurrent layers stacked; each reads the h of the layer below. Typical: 1–3. "
    "More layers learn more abstract patterns but train slower and overfit small texts.",
    "hiddenSizeSpin": "Units in each layer's hidden state h: the model's memory. Typical: 128 "
    "(fast) to 512 (quality). Too small: the loss stalls high. Too big: slow on a CPU and it "
    "memorises a small text. Parameters grow with its square.",
    "embeddingSizeSpin": "Length of the learned vector each character becomes before the first "
    "layer. Typical: 16–128; a character vocabulary is small, so more rarely helps.",
    "dropoutSpin": "Share of activations zeroed at random while training, between layers and "
    "before the output. Typical: 0 for small models, 0.1–0.3 for big ones. Raise it when the "
    "validation loss rises while the training loss falls (overfitting); too high slows learning.",
    "batchSizeSpin": "Text windows trained side by side in one step. Typical: 32–64 on a CPU, "
    "64–256 on a GPU. Bigger: smoother gradients, more characters/s on a GPU. Too small: a "
    "noisy loss.",
    "seqLenSpin": "Truncated backpropagation through time: characters per training window. The "
    "state flows on to the next window, the gradient goes back only this far. Typical: 64–128. "
    "Longer: longer dependencies, slower steps, and vanilla RNN gradients vanish or explode.",
    "optimizerCombo": "How a gradient becomes a weight update. <b>Adam</b>: a step size per "
    "weight; works almost always at 1e-3…3e-3. <b>AdamW</b>: Adam with decoupled weight decay. "
    "<b>SGD</b> (momentum 0.9): the textbook rule; needs 0.1…1 and clipping. <b>RMSprop</b>: "
    "the RNN classic before Adam, 1e-3.",
    "learningRateSpin": "Size of each update; changes live while training. Adam: 1e-3…3e-3; "
    "SGD: 0.1…1. Too high and the loss jumps or becomes NaN; too low and it creeps down. "
    "Arrows multiply by 1.78 (four steps per ×10). Type 3e-3 or 0.003.",
    "clipModeCombo": "Gradient clipping, changes live: stops one huge gradient (an exploding "
    "RNN) from wrecking the weights. <b>norm</b>: shrink the whole gradient when its length is "
    "above the threshold (standard). <b>value</b>: clamp each element. <b>none</b>: no limit.",
    "clipValueSpin": "Clipping threshold, changes live. norm: typical 1–5; too small slows "
    "every step, too large never clips. value: typical 0.5–5.",
    "seedSpin": "Random seed for the initial weights, dropout and batch order. Same seed and "
    "settings, same run; change it to see how much runs vary.",
    "deviceCombo": "Where training runs. A GPU pays off for big models (Quality preset); small "
    "models train well on the CPU.",
    "threadsSpin": "CPU threads for training. Keep 1 while the window is open on a machine with "
    "few cores: the window needs part of a core to draw, and two training threads then wait "
    "for each other, measured at a fraction of one thread's speed on 2 cores. More only with "
    "many idle cores.",
    "parameterCount": "Weights the model learns: embedding (V×E), the recurrent layers (LSTM "
    "4 gates, GRU 3, RNN 1) and the output layer (H×V + V). Training with Adam needs about "
    "16 bytes per parameter.",
}
_CELL_INTRO = "<b>Recurrent cell</b>: how h_t is computed from the input x_t and h_{t−1}.<br>"


class ModelPanel(QWidget):
    """Model and training settings; edits of the learning rate and clipping apply live."""

    presetChosen = Signal(str)
    learningRateChanged = Signal(float)
    clippingChanged = Signal(str, float)
    configError = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vocabulary_size: int | None = None
        self._train_base = TrainConfig(threads=1)  # keeps the settings without a control
        self.presetCombo = _combo("presetCombo", [(CUSTOM, "")] + [(n, n) for n in PRESETS])
        self.cellTypeCombo = _combo("cellTypeCombo", [(label, value) for label, value, _ in CELLS])
        for index, (_, value, equations) in enumerate(CELLS):
            tip = f"{equations}<br>{CELL_NOTES[value]}"
            self.cellTypeCombo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.layersSpin = _spin("layersSpin", 1, 16)
        self.hiddenSizeSpin = _spin("hiddenSizeSpin", 1, 16_384, 32)
        self.embeddingSizeSpin = _spin("embeddingSizeSpin", 1, 16_384, 16)
        self.dropoutSpin = _double("dropoutSpin", 0.0, 0.9, 0.05)
        self.batchSizeSpin = _spin("batchSizeSpin", 1, 65_536, 16)
        self.seqLenSpin = _spin("seqLenSpin", 1, 1_000_000, 16)
        self.optimizerCombo = _combo(
            "optimizerCombo",
            [("Adam", "adam"), ("AdamW", "adamw"), ("SGD", "sgd"), ("RMSprop", "rmsprop")],
        )
        self.learningRateSpin = LogSpinBox()
        self.learningRateSpin.setObjectName("learningRateSpin")
        self.clipModeCombo = _combo("clipModeCombo", [(mode, mode) for mode in CLIP_MODES])
        self.clipValueSpin = _double("clipValueSpin", 0.01, 1_000.0, 0.5)
        self.seedSpin = _spin("seedSpin", 0, 2**31 - 1)
        # Its width would follow 2147483647; a seed of a few digits must not widen the dock.
        self.seedSpin.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.deviceCombo = _combo("deviceCombo", [("automatic", "auto")])
        self.threadsSpin = _spin("threadsSpin", 1, max(os.cpu_count() or 1, 1))
        self.parameterCount = QLabel(objectName="parameterCount")
        self.parameterCount.setWordWrap(True)
        self.parameterCount.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Live settings reach the trainer once per edit: on Enter, focus loss or an arrow step.
        for spin in (self.learningRateSpin, self.clipValueSpin):
            spin.setKeyboardTracking(False)
        for name, tip in TOOLTIPS.items():
            getattr(self, name).setToolTip(f"<p>{tip}</p>")  # rich text: Qt wraps the lines

        model_form = QFormLayout()
        for label, widget in (
            ("&Cell:", self.cellTypeCombo),
            ("&Layers:", self.layersSpin),
            ("&Hidden size:", self.hiddenSizeSpin),
            ("&Embedding size:", self.embeddingSizeSpin),
            ("&Dropout:", self.dropoutSpin),
        ):
            model_form.addRow(label, widget)
        model_form.addRow(self.parameterCount)
        train_form = QFormLayout()
        for label, widget in (
            ("&Batch size:", self.batchSizeSpin),
            ("Se&quence length:", self.seqLenSpin),
            ("Optimi&zer:", self.optimizerCombo),
            ("Learning &rate:", self.learningRateSpin),
            ("Clippin&g:", self.clipModeCombo),
            ("Clip &value:", self.clipValueSpin),
            ("&Seed:", self.seedSpin),
            ("Dev&ice:", self.deviceCombo),
            ("&Threads:", self.threadsSpin),
        ):
            train_form.addRow(label, widget)
        preset_form = QFormLayout()
        preset_form.addRow("&Preset:", self.presetCombo)
        layout = QVBoxLayout(self)
        layout.addLayout(preset_form)
        for title, form in (("Model", model_form), ("Training", train_form)):
            group = QGroupBox(title)
            group.setLayout(form)
            layout.addWidget(group)
        layout.addStretch(1)

        self.set_configs(ModelConfig(vocab_size=2), self._train_base)  # the engine's defaults
        self.presetCombo.currentIndexChanged.connect(self._on_preset_index)
        for combo in (self.cellTypeCombo, self.optimizerCombo, self.deviceCombo):
            combo.currentIndexChanged.connect(self._on_user_edit)
        for spin in (
            self.layersSpin,
            self.hiddenSizeSpin,
            self.embeddingSizeSpin,
            self.dropoutSpin,
            self.batchSizeSpin,
            self.seqLenSpin,
            self.seedSpin,
            self.threadsSpin,
        ):
            spin.valueChanged.connect(self._on_user_edit)
        self.learningRateSpin.valueChanged.connect(self._on_learning_rate)
        self.clipModeCombo.currentIndexChanged.connect(self._on_clipping)
        self.clipValueSpin.valueChanged.connect(self._on_clipping)

    # ---- what the window calls ----------------------------------------------------------------

    def set_vocabulary_size(self, size: int) -> None:
        self._vocabulary_size = size
        self._update_parameter_count()

    def set_devices(self, devices: list[tuple[str, str]]) -> None:
        """(name, label) pairs, best first, e.g. ("cuda:0", "CUDA: NVIDIA H100"), ("cpu", "CPU")."""
        with _Blocked(self.deviceCombo):
            self.deviceCombo.clear()
            for name, label in devices:
                self.deviceCombo.addItem(label, name)
                self.deviceCombo.setItemData(
                    self.deviceCombo.count() - 1, label, Qt.ItemDataRole.ToolTipRole
                )
            self.deviceCombo.setCurrentIndex(0)

    def set_configs(self, model: ModelConfig, train: TrainConfig) -> None:
        """Show these settings (a checkpoint's, say) without emitting the live-change signals.

        model.vocab_size is not shown: set_vocabulary_size, called when a text loads, says which
        vocabulary the parameter count is for (saved settings carry a placeholder).
        """
        self._train_base = train
        self._show_values(dataclasses.asdict(model), dataclasses.asdict(train))
        with _Blocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(0)

    def apply_preset(self, name: str) -> None:
        model_values, train_values, _ = PRESETS[name]
        self._train_base = dataclasses.replace(TrainConfig(), **train_values)
        self._show_values(model_values, train_values)
        with _Blocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(self.presetCombo.findData(name))
        self.presetChosen.emit(name)

    def model_config(self, vocab_size: int) -> ModelConfig | None:
        """The model shown, or None after emitting configError."""
        try:
            return ModelConfig(vocab_size=vocab_size, **self._model_values())
        except ConfigError as error:
            self.configError.emit(str(error))
            return None

    def train_config(self) -> TrainConfig | None:
        """The training settings shown, or None after emitting configError."""
        name = self.deviceCombo.currentData() or "auto"
        # TrainConfig names devices without an index; "cuda" is the first GPU.
        device = "cuda" if name == "cuda:0" else name
        try:
            return dataclasses.replace(
                self._train_base,
                batch_size=self.batchSizeSpin.value(),
                seq_len=self.seqLenSpin.value(),
                optimizer=self.optimizerCombo.currentData(),
                learning_rate=self.learningRateSpin.value(),
                clip=self.clipModeCombo.currentData(),
                clip_value=self.clipValueSpin.value(),
                seed=self.seedSpin.value(),
                device=device,
                threads=self.threadsSpin.value(),
            )
        except ConfigError as error:
            self.configError.emit(str(error))
            return None

    def set_training(self, active: bool) -> None:
        """While training, only the live settings (learning rate, clipping) stay editable."""
        for widget in (
            self.presetCombo,
            self.cellTypeCombo,
            self.layersSpin,
            self.hiddenSizeSpin,
            self.embeddingSizeSpin,
            self.dropoutSpin,
            self.batchSizeSpin,
            self.seqLenSpin,
            self.optimizerCombo,
            self.seedSpin,
            self.deviceCombo,
            self.threadsSpin,
        ):
            widget.setEnabled(not active)

    # ---- internals --------------------------------------------------------------------------

    def _model_values(self) -> dict[str, Any]:
        return dict(
            cell=self.cellTypeCombo.currentData(),
            layers=self.layersSpin.value(),
            hidden_size=self.hiddenSizeSpin.value(),
            embedding_size=self.embeddingSizeSpin.value(),
            dropout=round(self.dropoutSpin.value(), 4),
        )

    def _show_values(self, model: dict[str, Any], train: dict[str, Any]) -> None:
        values = {**model, **train}
        spins = {
            "layers": self.layersSpin,
            "hidden_size": self.hiddenSizeSpin,
            "embedding_size": self.embeddingSizeSpin,
            "dropout": self.dropoutSpin,
            "batch_size": self.batchSizeSpin,
            "seq_len": self.seqLenSpin,
            "learning_rate": self.learningRateSpin,
            "clip_value": self.clipValueSpin,
            "seed": self.seedSpin,
            "threads": self.threadsSpin,
        }
        combos = {
            "cell": self.cellTypeCombo,
            "optimizer": self.optimizerCombo,
            "clip": self.clipModeCombo,
        }
        with _Blocked(*spins.values(), *combos.values(), self.deviceCombo):
            for key, spin in spins.items():
                if values.get(key) is not None:
                    spin.setValue(values[key])
            for key, combo in combos.items():
                if key in values:
                    combo.setCurrentIndex(max(combo.findData(values[key]), 0))
            if "device" in values:
                self.deviceCombo.setCurrentIndex(self._device_index(values["device"]))
        self._update_parameter_count()

    def _device_index(self, device: str) -> int:
        names = [self.deviceCombo.itemData(index) for index in range(self.deviceCombo.count())]
        if device in names:
            return names.index(device)
        if device == "cuda":
            return next((i for i, name in enumerate(names) if name.startswith("cuda")), 0)
        return 0  # "auto", or a device this machine lacks: the best one here

    def _update_parameter_count(self) -> None:
        cell = self.cellTypeCombo.currentData()
        equations = next(equations for _, value, equations in CELLS if value == cell)
        self.cellTypeCombo.setToolTip(f"{_CELL_INTRO}{equations}<br>{CELL_NOTES[cell]}")
        try:
            model = ModelConfig(self._vocabulary_size or 0, **self._model_values())
            count = count_parameters(model)
            self.parameterCount.setText(f"{count:,} parameters")
        except ConfigError:
            self.parameterCount.setText("— parameters (no corpus yet)")

    def _on_preset_index(self, index: int) -> None:
        name = self.presetCombo.itemData(index)
        if name:
            self.apply_preset(name)

    def _on_user_edit(self) -> None:
        self._update_parameter_count()
        with _Blocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(0)  # the settings are no longer the preset's

    def _on_learning_rate(self, value: float) -> None:
        self._on_user_edit()
        self.learningRateChanged.emit(value)

    def _on_clipping(self) -> None:
        self._on_user_edit()
        self.clippingChanged.emit(self.clipModeCombo.currentData(), self.clipValueSpin.value())


class _Blocked:
    """Blocks the signals of some widgets for a with-block (programmatic changes are silent)."""

    def __init__(self, *widgets: QWidget) -> None:
        self._widgets = widgets

    def __enter__(self) -> None:
        self._previous = [widget.blockSignals(True) for widget in self._widgets]

    def __exit__(self, *exc: object) -> None:
        for widget, previous in zip(self._widgets, self._previous):
            widget.blockSignals(previous)
