"""The corpus and model panels as real widgets: what they show, what they emit, how they look."""

from __future__ import annotations

import collections
import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.gui.panels.corpus_panel import CorpusPanel
from rnnlab.gui.panels.model_panel import PRESETS, ModelPanel
from rnnlab.gui.panels.visible_characters import visible_character

SCREENSHOT_DIR = Path("/tmp")
CONTROL_NAMES = (
    "cellTypeCombo",
    "layersSpin",
    "hiddenSizeSpin",
    "embeddingSizeSpin",
    "dropoutSpin",
    "forgetBiasSpin",
    "batchSizeSpin",
    "seqLenSpin",
    "optimizerCombo",
    "learningRateSpin",
    "clipModeCombo",
    "clipValueSpin",
    "seedSpin",
    "deviceCombo",
    "threadsSpin",
    "presetCombo",
    "parameterCount",
)
SHAPE_CONTROLS = (
    "presetCombo",
    "cellTypeCombo",
    "layersSpin",
    "hiddenSizeSpin",
    "embeddingSizeSpin",
    "dropoutSpin",
    "forgetBiasSpin",
    "batchSizeSpin",
    "seqLenSpin",
    "optimizerCombo",
    "seedSpin",
    "deviceCombo",
    "threadsSpin",
)


@pytest.fixture(scope="module")
def shakespeare() -> Corpus:
    return load_corpus("tinyshakespeare")


@pytest.fixture
def corpus_panel(qtbot, shakespeare: Corpus) -> CorpusPanel:
    panel = CorpusPanel()
    qtbot.addWidget(panel)
    panel.show_corpus(shakespeare, 1_003_854, 111_540)
    return panel


@pytest.fixture
def model_panel(qtbot) -> ModelPanel:
    panel = ModelPanel()
    qtbot.addWidget(panel)
    panel.set_vocabulary_size(65)
    panel.set_devices([("cuda:0", "CUDA: NVIDIA H100 80GB HBM3"), ("cpu", "CPU")])
    return panel


# ---- corpus panel -------------------------------------------------------------------------------


def test_corpus_info_for_tinyshakespeare(corpus_panel: CorpusPanel) -> None:
    info = corpus_panel.corpusInfo.text()
    for expected in (
        "tinyshakespeare",
        "1,115,394",
        "65 distinct",
        "utf-8",
        "1,003,854",
        "111,540",
        f"{math.log(65):.2f}",
    ):
        assert expected in info
    flags = corpus_panel.corpusInfo.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert corpus_panel.preview.toPlainText().startswith("First Citizen:")
    assert len(corpus_panel.preview.toPlainText()) == 2_000


def test_frequency_chart_has_30_readable_bars(corpus_panel: CorpusPanel) -> None:
    heights = corpus_panel.frequencyBars.opts["height"]
    assert len(heights) == 30
    assert list(heights) == sorted(heights, reverse=True)
    labels = corpus_panel.frequency_labels
    assert labels[0] == "␣"  # the space is Shakespeare's most frequent character
    assert "⏎" in labels and " " not in labels and "\n" not in labels
    assert visible_character("\t") == "⇥"


def test_character_counts_match_a_plain_count() -> None:
    names = load_corpus("names")
    plain = collections.Counter(names.text)
    counted = names.char_counts  # counted while loading
    assert {char: int(counted[code]) for code, char in enumerate(names.vocabulary.chars)} == plain


def test_choosing_an_entry_requests_it(qtbot, corpus_panel: CorpusPanel) -> None:
    combo = corpus_panel.corpusCombo
    assert combo.currentData() == "tinyshakespeare"
    with qtbot.waitSignal(corpus_panel.corpusRequested) as blocker:
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # the next bundled corpus
    assert blocker.args == [combo.itemData(1)]
    corpus_panel.set_recent(["/data/texts/war_and_peace.txt"])
    with qtbot.waitSignal(corpus_panel.corpusRequested) as blocker:
        qtbot.keyClick(combo, Qt.Key.Key_End)  # the recent file, past the separator
    assert blocker.args == ["/data/texts/war_and_peace.txt"]


def test_recent_files_show_names_with_paths_in_tooltips(corpus_panel: CorpusPanel) -> None:
    paths = ["/a/notes.txt", "/b/notes.txt", "/c/war_and_peace.txt"]
    corpus_panel.set_recent(paths)
    combo = corpus_panel.corpusCombo
    shown = {combo.itemData(index): combo.itemText(index) for index in range(combo.count())}
    assert shown["/c/war_and_peace.txt"] == "war_and_peace.txt"
    assert shown["/a/notes.txt"] == "notes.txt (a)"  # same names: told apart by folder
    index = combo.findData("/b/notes.txt")
    assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == "/b/notes.txt"
    assert combo.findData("tinyshakespeare") < index
    assert combo.currentData() == "tinyshakespeare"  # still the loaded corpus


def test_error_keeps_the_previous_corpus(corpus_panel: CorpusPanel) -> None:
    before = corpus_panel.corpusInfo.text()
    corpus_panel.show_error("bad.bin looks binary (35% control characters) <script>")
    assert not corpus_panel.errorLabel.isHidden()
    assert "bad.bin looks binary" in corpus_panel.errorLabel.text()
    assert "&lt;script&gt;" in corpus_panel.errorLabel.text()
    assert corpus_panel.corpusInfo.text() == before
    assert corpus_panel.corpusCombo.currentData() == "tinyshakespeare"
    corpus_panel.clear_error()
    assert corpus_panel.errorLabel.isHidden()


def test_open_dialog_requests_the_file(qtbot, corpus_panel: CorpusPanel, monkeypatch) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *args: ("/x/poems.txt", ""))
    )
    with qtbot.waitSignal(corpus_panel.corpusRequested) as blocker:
        qtbot.mouseClick(corpus_panel.openCorpusButton, Qt.MouseButton.LeftButton)
    assert blocker.args == ["/x/poems.txt"]


def test_busy_disables_the_controls(corpus_panel: CorpusPanel) -> None:
    corpus_panel.set_busy(True)
    assert not corpus_panel.corpusCombo.isEnabled()
    assert not corpus_panel.openCorpusButton.isEnabled()
    assert not corpus_panel.busyLabel.isHidden()
    corpus_panel.set_busy(False)
    assert corpus_panel.corpusCombo.isEnabled() and corpus_panel.busyLabel.isHidden()


# ---- model panel --------------------------------------------------------------------------------


def test_every_control_exists_and_teaches(model_panel: ModelPanel) -> None:
    for name in CONTROL_NAMES:
        widget = model_panel.findChild(QWidget, name)
        assert widget is not None, name
        assert len(widget.toolTip()) > 40, name


def test_cell_tooltips_give_the_equations(model_panel: ModelPanel) -> None:
    combo = model_panel.cellTypeCombo
    assert [combo.itemData(index) for index in range(combo.count())] == [
        "rnn",
        "rnn-relu",
        "lstm",
        "gru",
        "sru",
    ]
    combo.setCurrentIndex(combo.findData("lstm"))
    assert "f⊙c_{t−1} + i⊙g" in combo.toolTip() and "o⊙tanh(c_t)" in combo.toolTip()
    combo.setCurrentIndex(combo.findData("gru"))
    assert "(1−z)⊙n + z⊙h_{t−1}" in combo.toolTip()
    rnn_tip = combo.itemData(combo.findData("rnn"), Qt.ItemDataRole.ToolTipRole)
    assert "tanh(W x_t + U h_{t−1} + b)" in rnn_tip


def test_parameter_count_follows_the_settings(model_panel: ModelPanel) -> None:
    assert model_panel.parameterCount.text() == "876,929 parameters"  # the 2 x 256 LSTM default
    model_panel.hiddenSizeSpin.setValue(512)
    expected = count_parameters(model_panel.model_config(65))
    assert model_panel.parameterCount.text() == f"{expected:,} parameters"
    assert expected > 876_929
    model_panel.set_vocabulary_size(100)
    assert model_panel.parameterCount.text() == (
        f"{count_parameters(model_panel.model_config(100)):,} parameters"
    )


def test_learning_rate_steps_on_a_log_scale(model_panel: ModelPanel) -> None:
    spin = model_panel.learningRateSpin
    spin.setValue(1e-3)
    spin.stepBy(1)
    assert spin.value() == pytest.approx(1.78e-3, rel=1e-3)
    assert spin.text() == "1.78e-3"
    spin.stepBy(-1)
    assert spin.value() == 1e-3
    spin.stepBy(4)
    assert spin.value() == pytest.approx(1e-2)
    spin.setValue(10.0)
    spin.stepBy(3)
    assert spin.value() == 10.0  # clamped to the range
    for value in (1e-5, 3e-4, 1.78e-3, 3e-3, 0.0316, 0.5, 1.0, 10.0):
        assert spin.valueFromText(spin.textFromValue(value)) == pytest.approx(value, rel=1e-12)
    states = {text: spin.validate(text, len(text)) for text in ("3e-3", "0.003", "3e-", "0", "")}
    assert states["3e-3"] == states["0.003"] == QValidator.State.Acceptable
    assert states["3e-"] == states["0"] == states[""] == QValidator.State.Intermediate
    for text in ("abc", "-1", "nan", "1e-3x"):
        assert spin.validate(text, len(text)) == QValidator.State.Invalid


@pytest.mark.parametrize("preset", list(PRESETS))
def test_presets_apply_their_values(qtbot, model_panel: ModelPanel, preset: str) -> None:
    model_values, train_values, _ = PRESETS[preset]
    combo = model_panel.presetCombo
    with qtbot.waitSignal(model_panel.presetChosen) as blocker:
        combo.setCurrentIndex(combo.findData(preset))
    assert blocker.args == [preset]
    model = model_panel.model_config(65)
    train = model_panel.train_config()
    for key, value in model_values.items():
        assert getattr(model, key) == pytest.approx(value), key
    for key, value in train_values.items():
        assert getattr(train, key) == pytest.approx(value), key


def test_fast_demo_preset_then_an_edit_is_custom(qtbot, model_panel: ModelPanel) -> None:
    model_panel.threadsSpin.setMaximum(4)
    model_panel.threadsSpin.setValue(2)
    model_panel.apply_preset("Fast demo (CPU)")
    assert model_panel.hiddenSizeSpin.value() == 128
    assert model_panel.threadsSpin.value() == 1
    assert model_panel.presetCombo.currentText() == "Fast demo (CPU)"
    model_panel.hiddenSizeSpin.setValue(256)
    assert model_panel.presetCombo.currentIndex() == 0  # "Custom": no longer the preset


def test_training_locks_shape_but_not_live_settings(model_panel: ModelPanel) -> None:
    model_panel.set_training(True)
    for name in SHAPE_CONTROLS:
        assert not getattr(model_panel, name).isEnabled(), name
    for name in ("learningRateSpin", "clipModeCombo", "clipValueSpin"):
        assert getattr(model_panel, name).isEnabled(), name
    model_panel.set_training(False)
    assert all(getattr(model_panel, name).isEnabled() for name in SHAPE_CONTROLS)


def test_live_settings_signal_user_edits_only(qtbot, model_panel: ModelPanel) -> None:
    spin = model_panel.learningRateSpin
    spin.selectAll()
    with qtbot.waitSignal(model_panel.learningRateChanged) as blocker:
        qtbot.keyClicks(spin, "1e-2")
        qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert blocker.args == [pytest.approx(0.01)]
    with qtbot.waitSignal(model_panel.learningRateChanged) as blocker:
        spin.stepBy(-1)  # an arrow press
    assert blocker.args == [pytest.approx(5.62e-3)]
    combo = model_panel.clipModeCombo
    combo.setCurrentIndex(combo.findData("norm"))
    with qtbot.waitSignal(model_panel.clippingChanged) as blocker:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert blocker.args == ["value", 5.0]
    model = ModelConfig(vocab_size=65, cell="gru", hidden_size=64, layers=1)
    with (
        qtbot.assertNotEmitted(model_panel.learningRateChanged),
        qtbot.assertNotEmitted(model_panel.clippingChanged),
    ):
        model_panel.set_configs(model, TrainConfig(learning_rate=2e-3, clip="none"))
    assert spin.value() == 2e-3 and combo.currentData() == "none"


def test_configs_round_trip(model_panel: ModelPanel) -> None:
    model = ModelConfig(
        vocab_size=65, cell="sru", hidden_size=96, layers=3, embedding_size=24, dropout=0.15
    )
    train = TrainConfig(
        batch_size=48,
        seq_len=100,
        optimizer="rmsprop",
        learning_rate=5e-4,
        weight_decay=0.01,
        clip="value",
        clip_value=0.5,
        seed=7,
        device="cpu",
        threads=1,
        eval_every=50,
    )
    # Saved settings carry a placeholder vocabulary: the count stays that of the loaded text.
    model_panel.set_configs(dataclasses.replace(model, vocab_size=2), train)
    assert model_panel.model_config(65) == model
    assert model_panel.train_config() == train  # settings without a control are kept
    assert model_panel.parameterCount.text() == f"{count_parameters(model):,} parameters"
    model_panel.deviceCombo.setCurrentIndex(0)
    assert model_panel.train_config().device == "cuda"  # cuda:0 is TrainConfig's "cuda"
    model_panel.layersSpin.setValue(1)
    model_panel.seedSpin.setValue(99)
    assert model_panel.model_config(65).layers == 1
    assert model_panel.train_config().seed == 99


def test_config_errors_become_messages(qtbot, model_panel: ModelPanel) -> None:
    with qtbot.waitSignal(model_panel.configError) as blocker:
        assert model_panel.model_config(1) is None
    assert "vocabulary size" in blocker.args[0]
    model_panel.set_devices([("cuda:1", "CUDA: second GPU"), ("cpu", "CPU")])
    with qtbot.waitSignal(model_panel.configError):
        assert model_panel.train_config() is None


@pytest.mark.slow
def test_the_exploding_preset_explodes_and_clipping_rescues_it(shakespeare: Corpus) -> None:
    """The claim in the preset's name, on the engine: no clipping blows up, norm 1 does not."""
    from rnnlab.core.trainer import StepReport, new_trainer

    model_values, train_values, corpus_name = PRESETS[
        "Vanilla RNN without clipping (watch it explode)"
    ]
    assert corpus_name == "tinyshakespeare"
    model = ModelConfig(vocab_size=len(shakespeare.vocabulary), **model_values)
    losses = {}
    for clip in ("none", "norm"):
        train = TrainConfig(**{**train_values, "clip": clip}, threads=1, eval_every=10**6)
        reports = new_trainer(shakespeare, model, train).run(max_steps=15)
        losses[clip] = [report.loss for report in reports if isinstance(report, StepReport)]
    uniform = math.log(len(shakespeare.vocabulary))
    assert max(losses["none"]) > 3 * uniform  # far worse than knowing nothing
    assert max(losses["norm"][5:]) < uniform  # clipped at norm 1, the same run learns


# ---- screenshots --------------------------------------------------------------------------------


@pytest.fixture
def scaled_font() -> Iterator[None]:
    app = QApplication.instance()
    original = app.font()
    font = app.font()
    font.setPointSizeF(original.pointSizeF() * 1.5)
    app.setFont(font)
    app.processEvents()  # the widgets hear of the new font from a posted event
    try:
        yield
    finally:
        app.setFont(original)
        app.processEvents()


def _shoot(qtbot, widget: QWidget, name: str) -> Path:
    widget.resize(max(320, widget.minimumSizeHint().width()), 760)
    widget.show()
    qtbot.waitExposed(widget)
    path = SCREENSHOT_DIR / f"panel_{name}.png"
    assert widget.grab().save(str(path))
    return path


@pytest.mark.parametrize("scale", ["normal", "large"])
def test_screenshots(
    qtbot, request, corpus_panel: CorpusPanel, model_panel: ModelPanel, scale: str
) -> None:
    if scale == "large":
        request.getfixturevalue("scaled_font")  # after the panels exist, as presentation mode does
        assert model_panel.font().pointSizeF() == QApplication.font().pointSizeF()
        assert model_panel.minimumSizeHint().width() < 400  # still fits a widened dock
    else:
        assert model_panel.minimumSizeHint().width() <= 320  # fits the left dock
    corpus_panel.show_error("cannot read notes.txt: permission denied")
    model_panel.apply_preset("Quality (GPU)")
    for name, widget in (("corpus", corpus_panel), ("model", model_panel)):
        assert _shoot(qtbot, widget, f"{name}_{scale}").stat().st_size > 10_000
