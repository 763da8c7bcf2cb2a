"""The model panel: cell, sizes and training settings, with tooltips that teach each one.

The controls and their layout are in ``model_form``; this is what they do. Nothing here imports
torch: the parameter count comes from the formulas in ``rnnlab.core.config``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.errors import ConfigError
from rnnlab.core.tasks import ModelShape
from rnnlab.gui.panels.model_form import ModelForm
from rnnlab.gui.panels.model_texts import (
    CELL_INTRO,
    CELL_NOTES,
    CELLS,
    NUMERIC_INPUT_TIP,
    PRESETS,
    TASK_PRESET_TIP,
    TASK_SEQUENCE_TIP,
    TOOLTIPS,
)
from rnnlab.gui.widgets.form_controls import SignalsBlocked

# (name, label): the device combo's first entry; the window adds the devices torch lists.
AUTO_DEVICE = ("auto", "Best available")


class ModelPanel(ModelForm):
    """Model and training settings; edits of the learning rate and clipping apply live."""

    presetChosen = Signal(str)
    learningRateChanged = Signal(float)
    clippingChanged = Signal(str, float)
    configError = Signal(str)
    settingsEdited = Signal()  # the user changed a setting (not set_configs)
    tokenUnitChosen = Signal(str)  # the user chose a unit ("word", "bpe:500"): learn it early

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vocabulary_size: int | None = None
        self._unit_sizes: dict[str, int] = {}  # vocabulary size of each learned token unit
        self._training = False
        self._task_mode = False
        self._task_shape: ModelShape | None = None  # what a task fixes; None: a text's
        self._train_base = TrainConfig(threads=1)  # keeps the settings without a control
        # Until torch has loaded (in a pool thread) and the window lists the real ones.
        self.set_devices([AUTO_DEVICE, ("cpu", "CPU")], listed=False)
        self.set_configs(ModelConfig(vocab_size=2), self._train_base)  # the engine's defaults
        self.presetCombo.currentIndexChanged.connect(self._on_preset_index)
        for combo in (self.cellTypeCombo, self.optimizerCombo, self.deviceCombo):
            combo.currentIndexChanged.connect(self._on_user_edit)
        for spin in (
            self.layersSpin,
            self.hiddenSizeSpin,
            self.embeddingSizeSpin,
            self.dropoutSpin,
            self.forgetBiasSpin,
            self.batchSizeSpin,
            self.seqLenSpin,
            self.seedSpin,
            self.threadsSpin,
        ):
            spin.valueChanged.connect(self._on_user_edit)
        self.tokenUnit.unitChanged.connect(self._on_unit)
        self.learningRateSpin.valueChanged.connect(self._on_learning_rate)
        self.clipModeCombo.currentIndexChanged.connect(self._on_clipping)
        self.clipValueSpin.valueChanged.connect(self._on_clipping)

    # ---- what the window calls ----------------------------------------------------------------

    def set_vocabulary_size(self, size: int) -> None:
        """A text loaded: its characters; the word and BPE units learned on another are gone."""
        self._vocabulary_size = size
        self._unit_sizes.clear()
        self._follow_settings()

    def set_unit_vocabulary(self, tokens: str, size: int) -> None:
        """A unit learned on the text: the parameter count can use its vocabulary."""
        self._unit_sizes[tokens] = size
        self._follow_settings()

    def tokens(self) -> str:
        """The unit shown ("char" on a task: its symbols are its own)."""
        return "char" if self._task_mode else self.tokenUnit.unit()

    def set_devices(self, devices: list[tuple[str, str]], *, listed: bool = True) -> None:
        """(name, label) pairs, best first, e.g. ("cuda:0", "CUDA: NVIDIA H100"), ("cpu", "CPU").
        ``listed``: the devices torch found (False for the placeholder before it has looked)."""
        self._devices_listed = listed
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
        return self._listed_device(name)[1]

    def on_cpu(self, name: str) -> bool:
        """Whether a run on device ``name`` trains on the CPU here; for "auto", only once the
        devices are listed (before, a GPU may be there still unknown)."""
        if name == "auto" and not self._devices_listed:
            return False
        return self._listed_device(name)[0] == "cpu"

    def _listed_device(self, name: str) -> tuple[str, str]:
        """(name, label) of a device name, "auto" resolved to the best one listed."""
        combo = self.deviceCombo
        listed = [(combo.itemData(index), combo.itemText(index)) for index in range(combo.count())]
        devices = [item for item in listed if item[0] != "auto"]
        if name == "auto":
            return devices[0] if devices else ("auto", "best available")
        return next((item for item in devices if item[0] == name), (name, name))

    def set_configs(self, model: ModelConfig, train: TrainConfig) -> None:
        """Show these settings (a checkpoint's, say) without emitting the live-change signals.

        What the data fixes (vocab_size, input_size, output_size) is not shown:
        set_vocabulary_size, called when a text loads, and set_task_mode say which data the
        parameter count is for (saved settings carry a placeholder vocabulary).
        """
        self._train_base = train
        self._show_values(dataclasses.asdict(model), dataclasses.asdict(train))
        with SignalsBlocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(0)

    def apply_preset(self, name: str) -> None:
        model_values, train_values, _ = PRESETS[name]
        self._train_base = dataclasses.replace(TrainConfig(), **train_values)
        self._show_values({"forget_bias": None, **model_values}, train_values)  # cell default
        with SignalsBlocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(self.presetCombo.findData(name))
        self.presetChosen.emit(name)

    def model_config(self, shape: int | ModelShape) -> ModelConfig | None:
        """The model shown for this data, or None after emitting configError.

        ``shape``: a text's vocabulary size, or what a task fixes (``Task.model_shape()``; the
        adding task's is vocab_size 0, input_size 2, output_size 1).
        """
        try:
            return self._config(shape)
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
                tokens=self.tokens(),
            )
        except ConfigError as error:
            self.configError.emit(str(error))
            return None

    def set_training(self, active: bool) -> None:
        """While training, only the live settings (learning rate, clipping) stay editable."""
        self._training = active
        self._update_enabled()

    def set_task_mode(self, on: bool, shape: ModelShape | None = None) -> None:
        """On a task, the settings that only mean something for text are off and say why; off
        restores them. ``shape``, the task's, makes the parameter count the task model's, and
        turns the embedding row of a task that reads numbers into the input layer it is."""
        self._task_mode = on
        self._task_shape = shape if on else None
        numeric = bool(self._task_shape and self._task_shape["input_size"])
        for widget, task_tip in (
            (self.seqLenSpin, TASK_SEQUENCE_TIP if on else None),
            (self.presetCombo, TASK_PRESET_TIP if on else None),
            (self.embeddingSizeSpin, NUMERIC_INPUT_TIP if numeric else None),
        ):
            widget.setToolTip(f"<p>{task_tip or TOOLTIPS[widget.objectName()]}</p>")
        # The same Alt letter either way: no clash appears or disappears with the data.
        self._embedding_label.setText("Input lay&er size:" if numeric else "&Embedding size:")
        self._update_enabled()
        self._follow_settings()

    # ---- internals --------------------------------------------------------------------------

    def _model_values(self) -> dict[str, Any]:
        return dict(
            cell=self.cellTypeCombo.currentData(),
            layers=self.layersSpin.value(),
            hidden_size=self.hiddenSizeSpin.value(),
            embedding_size=self.embeddingSizeSpin.value(),
            dropout=round(self.dropoutSpin.value(), 4),
            # Kept as shown on a vanilla RNN (which ignores it), so a loaded model's settings
            # compare equal to the model's.
            forget_bias=self.forgetBiasSpin.bias(),
        )

    def _config(self, shape: int | ModelShape) -> ModelConfig:
        if isinstance(shape, int):  # a text: symbols in, one logit per symbol out
            shape = ModelShape(vocab_size=shape, input_size=0, output_size=0)
        return ModelConfig(**shape, **self._model_values())

    def _update_enabled(self) -> None:
        editable = not self._training
        for widget in (
            self.cellTypeCombo,
            self.layersSpin,
            self.hiddenSizeSpin,
            self.embeddingSizeSpin,
            self.dropoutSpin,
            self.batchSizeSpin,
            self.optimizerCombo,
            self.seedSpin,
            self.deviceCombo,
            self.threadsSpin,
        ):
            widget.setEnabled(editable)
        self.forgetBiasSpin.setEnabled(editable and self.forgetBiasSpin.applies())
        self.tokenUnit.set_editable(editable and not self._task_mode)
        for widget in (self.presetCombo, self.seqLenSpin):  # they mean something for text only
            widget.setEnabled(editable and not self._task_mode)

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
        blocked = (*spins.values(), *combos.values(), self.deviceCombo, self.forgetBiasSpin)
        with SignalsBlocked(*blocked):
            for key, spin in spins.items():
                if values.get(key) is not None:
                    spin.setValue(values[key])
            if "forget_bias" in values:  # None too: the cell's default
                self.forgetBiasSpin.set_bias(values["forget_bias"])
            for key, combo in combos.items():
                if key in values:
                    combo.setCurrentIndex(max(combo.findData(values[key]), 0))
            if "device" in values:
                self.deviceCombo.setCurrentIndex(self._device_index(values["device"]))
            if "tokens" in values:
                self.tokenUnit.set_unit(values["tokens"])
        self._follow_settings()

    def _device_index(self, device: str) -> int:
        names = [self.deviceCombo.itemData(index) for index in range(self.deviceCombo.count())]
        if device in names:
            return names.index(device)
        if device == "cuda":
            return next((i for i, name in enumerate(names) if name.startswith("cuda")), 0)
        return 0  # "auto", or a device this machine lacks: the best one here

    def _follow_settings(self) -> None:
        """What follows the settings: the cell's tooltips, the forget bias's state, the count."""
        cell = self.cellTypeCombo.currentData()
        equations = next(equations for _, value, equations in CELLS if value == cell)
        self.cellTypeCombo.setToolTip(f"{CELL_INTRO}{equations}<br>{CELL_NOTES[cell]}")
        self.forgetBiasSpin.set_cell(cell)
        self._update_enabled()  # a vanilla RNN has no memory gate to bias
        tokens = self.tokens()
        size = self._vocabulary_size if tokens == "char" else self._unit_sizes.get(tokens)
        if self._vocabulary_size and size is None:
            self.parameterCount.setText("— parameters (learning the tokens…)")
            return
        try:
            count = count_parameters(self._config(self._task_shape or size or 0))
            self.parameterCount.setText(f"{count:,} parameters")
        except ConfigError:
            self.parameterCount.setText("— parameters (no corpus yet)")

    def _on_preset_index(self, index: int) -> None:
        name = self.presetCombo.itemData(index)
        if name:
            self.apply_preset(name)

    def _on_user_edit(self) -> None:
        self.settingsEdited.emit()
        self._follow_settings()
        with SignalsBlocked(self.presetCombo):
            self.presetCombo.setCurrentIndex(0)  # the settings are no longer the preset's

    def _on_unit(self, tokens: str) -> None:
        self._on_user_edit()
        self.tokenUnitChosen.emit(tokens)

    def _on_learning_rate(self, value: float) -> None:
        self._on_user_edit()
        self.learningRateChanged.emit(value)

    def _on_clipping(self) -> None:
        self._on_user_edit()
        self.clippingChanged.emit(self.clipModeCombo.currentData(), self.clipValueSpin.value())
