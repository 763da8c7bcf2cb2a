"""The model panel: cell, sizes and training settings, with tooltips that teach each one.

The objectNames are an interface (tests and automation find controls by them). Nothing here
imports torch: the parameter count comes from the formulas in ``rnnlab.core.config``.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from rnnlab.core.config import CLIP_MODES, ModelConfig, TrainConfig, count_parameters
from rnnlab.core.errors import ConfigError
from rnnlab.gui.panels.model_texts import CELL_INTRO, CELL_NOTES, CELLS, PRESETS, TOOLTIPS
from rnnlab.gui.widgets.form_controls import SignalsBlocked, combo_box, double_spin_box, spin_box
from rnnlab.gui.widgets.log_spin_box import LogSpinBox

CUSTOM = "Custom"
# (name, label): the device combo's first entry; the window adds the devices torch lists.
AUTO_DEVICE = ("auto", "Best available")


class ModelPanel(QWidget):
    """Model and training settings; edits of the learning rate and clipping apply live."""

    presetChosen = Signal(str)
    learningRateChanged = Signal(float)
    clippingChanged = Signal(str, float)
    configError = Signal(str)
    settingsEdited = Signal()  # the user changed a setting (not set_configs)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vocabulary_size: int | None = None
        self._train_base = TrainConfig(threads=1)  # keeps the settings without a control
        self.presetCombo = combo_box("presetCombo", [(CUSTOM, "")] + [(n, n) for n in PRESETS])
        self.cellTypeCombo = combo_box(
            "cellTypeCombo", [(label, value) for label, value, _ in CELLS]
        )
        for index, (_, value, equations) in enumerate(CELLS):
            tip = f"{equations}<br>{CELL_NOTES[value]}"
            self.cellTypeCombo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.layersSpin = spin_box("layersSpin", 1, 16)
        self.hiddenSizeSpin = spin_box("hiddenSizeSpin", 1, 16_384, 32)
        self.embeddingSizeSpin = spin_box("embeddingSizeSpin", 1, 16_384, 16)
        self.dropoutSpin = double_spin_box("dropoutSpin", 0.0, 0.9, 0.05)
        self.batchSizeSpin = spin_box("batchSizeSpin", 1, 65_536, 16)
        self.seqLenSpin = spin_box("seqLenSpin", 1, 1_000_000, 16)
        self.optimizerCombo = combo_box(
            "optimizerCombo",
            [("Adam", "adam"), ("AdamW", "adamw"), ("SGD", "sgd"), ("RMSprop", "rmsprop")],
        )
        self.learningRateSpin = LogSpinBox()
        self.learningRateSpin.setObjectName("learningRateSpin")
        self.clipModeCombo = combo_box("clipModeCombo", [(mode, mode) for mode in CLIP_MODES])
        self.clipValueSpin = double_spin_box("clipValueSpin", 0.01, 1_000.0, 0.5)
        self.seedSpin = spin_box("seedSpin", 0, 2**31 - 1)
        # Its width would follow 2147483647; a seed of a few digits must not widen the dock.
        self.seedSpin.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.deviceCombo = combo_box("deviceCombo", [])
        # Until torch has loaded (in a pool thread) and the window lists the real ones.
        self.set_devices([AUTO_DEVICE, ("cpu", "CPU")])
        self.threadsSpin = spin_box("threadsSpin", 1, max(os.cpu_count() or 1, 1))
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
        with SignalsBlocked(self.deviceCombo):
            self.deviceCombo.clear()
            for name, label in devices:
                self.deviceCombo.addItem(label, name)
                self.deviceCombo.setItemData(
                    self.deviceCombo.count() - 1, label, Qt.ItemDataRole.ToolTipRole
                )
            self.deviceCombo.setCurrentIndex(0)

    def device_label(self, name: str) -> str:
        """What a device name means here; "auto" is the best one listed (CUDA, MPS, CPU)."""
        combo = self.deviceCombo
        listed = [(combo.itemData(index), combo.itemText(index)) for index in range(combo.count())]
        devices = [item for item in listed if item[0] != "auto"]
        if name == "auto":
            return devices[0][1] if devices else "best available"
        return next((label for device, label in devices if device == name), name)

    def set_configs(self, model: ModelConfig, train: TrainConfig) -> None:
        """Show these settings (a checkpoint's, say) without emitting the live-change signals.

        model.vocab_size is not shown: set_vocabulary_size, called when a text loads, says which
        vocabulary the parameter count is for (saved settings carry a placeholder).
        """
        self._train_base = train
        self._show_values(dataclasses.asdict(model), dataclasses.asdict(train))
        with SignalsBlocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(0)

    def apply_preset(self, name: str) -> None:
        model_values, train_values, _ = PRESETS[name]
        self._train_base = dataclasses.replace(TrainConfig(), **train_values)
        self._show_values(model_values, train_values)
        with SignalsBlocked(self.presetCombo):
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
        with SignalsBlocked(*spins.values(), *combos.values(), self.deviceCombo):
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
        self.cellTypeCombo.setToolTip(f"{CELL_INTRO}{equations}<br>{CELL_NOTES[cell]}")
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
        self.settingsEdited.emit()
        self._update_parameter_count()
        with SignalsBlocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(0)  # the settings are no longer the preset's

    def _on_learning_rate(self, value: float) -> None:
        self._on_user_edit()
        self.learningRateChanged.emit(value)

    def _on_clipping(self) -> None:
        self._on_user_edit()
        self.clippingChanged.emit(self.clipModeCombo.currentData(), self.clipValueSpin.value())
