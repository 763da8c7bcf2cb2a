"""The model panel's controls and their layout; ``ModelPanel`` adds what they do.

Apart from the panel's behaviour because together they outgrew one module. The objectNames are an
interface (tests and automation find controls by them).
"""

from __future__ import annotations

import os
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from rnnlab.core.config import CLIP_MODES
from rnnlab.gui.panels.forget_bias_spin import ForgetBiasSpin
from rnnlab.gui.panels.model_texts import CELL_NOTES, CELLS, PRESETS, TOOLTIPS
from rnnlab.gui.panels.token_unit_control import TokenUnitControl
from rnnlab.gui.widgets.form_controls import combo_box, double_spin_box, spin_box
from rnnlab.gui.widgets.log_spin_box import LogSpinBox

CUSTOM = "Custom"  # the preset combo's first entry: settings that are no preset's


class ModelForm(QWidget):
    """The preset, Model and Training forms, each control with a tooltip that teaches it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presetCombo = combo_box("presetCombo", [(CUSTOM, "")] + [(n, n) for n in PRESETS])
        self.cellTypeCombo = combo_box(
            "cellTypeCombo", [(label, value) for label, value, _ in CELLS]
        )
        for index, (_, value, equations) in enumerate(CELLS):
            tip = f"{equations}<br>{CELL_NOTES[value]}"
            self.cellTypeCombo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.tokenUnit = TokenUnitControl(self)  # tokenUnitCombo and mergesSpin
        self.tokenUnitCombo = self.tokenUnit.tokenUnitCombo
        self.mergesSpin = self.tokenUnit.mergesSpin
        self.layersSpin = spin_box("layersSpin", 1, 16)
        self.hiddenSizeSpin = spin_box("hiddenSizeSpin", 1, 16_384, 32)
        self.embeddingSizeSpin = spin_box("embeddingSizeSpin", 1, 16_384, 16)
        self.dropoutSpin = double_spin_box("dropoutSpin", 0.0, 0.9, 0.05)
        self.forgetBiasSpin = ForgetBiasSpin()  # its tooltip follows the cell
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
        self.deviceCombo = combo_box("deviceCombo", [])  # ModelPanel.set_devices fills it
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
        self.tokenUnit.add_rows(model_form, "To&kens:")
        for label, widget in (
            ("&Cell:", self.cellTypeCombo),
            ("&Layers:", self.layersSpin),
            ("&Hidden size:", self.hiddenSizeSpin),
            ("&Embedding size:", self.embeddingSizeSpin),
            ("&Dropout:", self.dropoutSpin),
            ("F&orget bias:", self.forgetBiasSpin),  # Alt+F opens the File menu
        ):
            model_form.addRow(label, widget)
        # ModelPanel.set_task_mode renames it for a task that reads numbers.
        self._embedding_label = cast(QLabel, model_form.labelForField(self.embeddingSizeSpin))
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
