"""The model panel's forget bias and task mode, as a user meets them: real widgets, offscreen."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDoubleSpinBox, QLabel, QTabBar, QWidget

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.tasks import find_task
from rnnlab.gui.panels.model_panel import ModelPanel
from rnnlab.gui.panels.model_texts import TOOLTIPS

GATED, VANILLA = ("lstm", "gru", "sru"), ("rnn", "rnn-relu")


@pytest.fixture
def panel(qtbot) -> ModelPanel:
    panel = ModelPanel()
    qtbot.addWidget(panel)
    panel.set_vocabulary_size(65)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def bias_spin(panel: ModelPanel) -> QDoubleSpinBox:
    spin = panel.findChild(QDoubleSpinBox, "forgetBiasSpin")
    assert spin is not None
    return spin


def choose_cell(panel: ModelPanel, cell: str) -> None:
    combo = panel.cellTypeCombo
    combo.setCurrentIndex(combo.findData(cell))


def label_of(panel: ModelPanel, field: QWidget) -> QLabel:
    return next(label for label in panel.findChildren(QLabel) if label.buddy() is field)


def test_forget_bias_starts_at_the_cells_default(panel: ModelPanel) -> None:
    spin = bias_spin(panel)
    assert spin.text() == "cell default"
    assert panel.model_config(65).forget_bias is None
    assert label_of(panel, spin).text() == "F&orget bias:"
    tip = spin.toolTip()
    for reason in ("Gers et al. 2000", "Jozefowicz et al. 2015", "char-rnn", "#20102", "±1/√H"):
        assert reason in tip, reason
    assert "LSTM: the forget gate; its cell default is 1." in tip
    choose_cell(panel, "gru")
    assert "GRU: the update gate; its cell default is PyTorch's draw" in spin.toolTip()
    assert spin.text() == "cell default"  # None follows the cell: GRU's own start


def test_an_explicit_bias_goes_into_the_config(qtbot, panel: ModelPanel) -> None:
    spin = bias_spin(panel)
    spin.setFocus()
    with qtbot.waitSignal(panel.settingsEdited):
        qtbot.keyClick(spin, Qt.Key.Key_Up)  # from "cell default": the LSTM's own 1
    assert spin.value() == 1.0 and panel.model_config(65).forget_bias == 1.0
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert panel.model_config(65).forget_bias == 1.5
    spin.selectAll()
    with qtbot.waitSignal(panel.settingsEdited):
        qtbot.keyClicks(spin, "-2.25")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert panel.model_config(65).forget_bias == -2.25
    spin.setValue(-5.0)
    qtbot.keyClick(spin, Qt.Key.Key_Down)  # one step below -5: back to the cell's default
    assert spin.text() == "cell default" and panel.model_config(65).forget_bias is None


def test_vanilla_cells_have_no_gate_to_bias(qtbot, panel: ModelPanel) -> None:
    spin = bias_spin(panel)
    for cell in VANILLA:
        choose_cell(panel, cell)
        qtbot.waitUntil(lambda: not spin.isEnabled())
        assert "has no gate that keeps memory" in spin.toolTip()
        panel.set_training(True)
        panel.set_training(False)  # training ends: still nothing to bias
        assert not spin.isEnabled(), cell
    for cell in GATED:
        choose_cell(panel, cell)
        qtbot.waitUntil(spin.isEnabled)
        assert "has no gate" not in spin.toolTip()
        panel.set_training(True)
        assert not spin.isEnabled()  # the model's shape is fixed while it trains
        panel.set_training(False)
        assert spin.isEnabled(), cell


@pytest.mark.parametrize("bias", [None, 1.5, -3.0, 8.0])
def test_set_configs_shows_the_bias_and_gives_it_back(qtbot, panel: ModelPanel, bias) -> None:
    model = ModelConfig(vocab_size=65, cell="gru", hidden_size=64, layers=1, forget_bias=bias)
    with qtbot.assertNotEmitted(panel.settingsEdited):
        panel.set_configs(model, TrainConfig(threads=1))
    spin = bias_spin(panel)
    assert spin.text() == ("cell default" if bias is None else f"{bias:.2f}")
    assert panel.model_config(65) == model  # 8, beyond the ±5 a user steps in, comes back too
    panel.set_configs(ModelConfig(vocab_size=65, cell="rnn", forget_bias=bias), TrainConfig())
    assert panel.model_config(65).forget_bias == bias  # kept, though a vanilla RNN ignores it


def test_a_preset_brings_the_cells_default_back(panel: ModelPanel) -> None:
    bias_spin(panel).setValue(2.0)
    panel.apply_preset("Fast demo (CPU)")
    assert bias_spin(panel).text() == "cell default"
    assert panel.model_config(65).forget_bias is None


def test_task_mode_turns_off_what_only_text_means(qtbot, panel: ModelPanel) -> None:
    sequence, preset, embedding = panel.seqLenSpin, panel.presetCombo, panel.embeddingSizeSpin
    adding = find_task("adding").model_shape()
    panel.set_task_mode(True, adding)
    assert not sequence.isEnabled() and not preset.isEnabled()
    assert "a sequence is one backpropagation window whatever this says" in sequence.toolTip()
    assert label_of(panel, embedding).text() == "Input lay&er size:"
    expected = count_parameters(panel.model_config(adding))
    assert panel.parameterCount.text() == f"{expected:,} parameters"
    panel.set_training(True)
    panel.set_training(False)
    assert not sequence.isEnabled()  # still a task after training stops
    panel.set_task_mode(False)
    assert sequence.isEnabled() and preset.isEnabled()
    assert sequence.toolTip() == f"<p>{TOOLTIPS['seqLenSpin']}</p>"
    assert label_of(panel, embedding).text() == "&Embedding size:"
    text_count = count_parameters(panel.model_config(65))
    assert panel.parameterCount.text() == f"{text_count:,} parameters"
    panel.set_task_mode(True, find_task("recall").model_shape())  # symbols: an embedding
    assert not sequence.isEnabled()
    assert label_of(panel, embedding).text() == "&Embedding size:"


def test_model_config_takes_what_a_task_fixes(panel: ModelPanel) -> None:
    numeric = panel.model_config(find_task("adding").model_shape())
    assert (numeric.vocab_size, numeric.input_size, numeric.output_size) == (0, 2, 1)
    symbols = panel.model_config(find_task("recall").model_shape())
    assert (symbols.vocab_size, symbols.input_size, symbols.output_size) == (19, 0, 8)
    text = panel.model_config(65)
    assert (text.vocab_size, text.input_size, text.output_size) == (65, 0, 0)


def test_the_forget_bias_is_remembered_between_launches(qtbot, window) -> None:
    from rnnlab.app import create_main_window

    bias_spin(window.model_panel).setValue(2.5)
    window.model_panel.hiddenSizeSpin.setValue(40)
    window.save_settings()
    again = create_main_window([], settings=window.settings)
    qtbot.waitUntil(lambda: again.corpus is not None, timeout=30_000)
    assert bias_spin(again.model_panel).value() == 2.5
    bias_spin(again.model_panel).setValue(bias_spin(again.model_panel).minimum())
    again.save_settings()  # None: a setting saved without a value
    third = create_main_window([], settings=window.settings)
    qtbot.waitUntil(lambda: third.corpus is not None, timeout=30_000)
    assert bias_spin(third.model_panel).text() == "cell default"
    assert third.model_panel.hiddenSizeSpin.value() == 40  # the saved settings still load
    for main in (again, third):
        main.close()
        main.deleteLater()


def test_the_forget_bias_letter_clashes_with_nothing_shown(window) -> None:
    """Alt+O reaches the forget bias: no other control on screen with the Model tab open uses
    it (Alt+F opens the File menu)."""
    tabs = window.parts.left_tabs
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "&Model"))
    texts = [w.text() for w in window.findChildren(QAbstractButton) if w.isVisible()]
    texts += [w.text() for w in window.findChildren(QLabel) if w.isVisible() and w.buddy()]
    texts += [action.text() for action in window.menuBar().actions()]
    for bar in window.findChildren(QTabBar):
        if bar.isVisible():
            texts += [bar.tabText(index) for index in range(bar.count())]
    letters = [re.search(r"&([^&\s])", text.replace("&&", "")) for text in texts]
    assert [match[1].lower() for match in letters if match].count("o") == 1
    assert "F&orget bias:" in texts


def test_auto_is_the_cpu_only_once_the_devices_are_listed(panel: ModelPanel) -> None:
    # The window checks a CPU run against free memory; until torch has listed the devices,
    # "auto" may still be a GPU, which must not be refused for the machine's memory.
    from rnnlab.gui.panels.model_panel import AUTO_DEVICE

    assert not panel.on_cpu("auto") and panel.on_cpu("cpu")
    panel.set_devices([AUTO_DEVICE, ("cpu", "CPU")])
    assert panel.on_cpu("auto")
    panel.set_devices([AUTO_DEVICE, ("cuda:0", "CUDA: a GPU"), ("cpu", "CPU")])
    assert not panel.on_cpu("auto") and not panel.on_cpu("cuda:0") and panel.on_cpu("cpu")
