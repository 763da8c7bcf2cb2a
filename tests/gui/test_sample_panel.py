"""The sampling panel with real widgets and real samplers from small models trained here."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.core.sampling import Sampler
from rnnlab.gui.panels.sample_panel import MARK_NEW, MARK_SEEN, SamplePanel, slider_position

STEPS = 60
SCREENSHOTS = Path("/tmp")


def _train(corpus: Corpus) -> Sampler:
    """A tiny LSTM trained for a few seconds: enough for letters, spaces and short names."""
    from engine_helpers import fast_training, tiny_model

    from rnnlab.core.trainer import new_trainer

    train_config = fast_training(eval_every=10**6, eval_chars=65_536, threads=1)
    trainer = new_trainer(corpus, tiny_model(corpus), train_config)
    for _ in trainer.run(max_steps=STEPS):
        pass
    return Sampler.from_model(trainer.model, corpus.vocabulary, line_mode=corpus.line_mode)


@pytest.fixture(scope="module")
def sonnets_sampler() -> Sampler:
    return _train(load_corpus("sonnets"))


@pytest.fixture(scope="module")
def names() -> tuple[Sampler, frozenset[str]]:
    corpus = load_corpus("names")
    return _train(corpus), frozenset(corpus.lines)


@pytest.fixture
def panel(qtbot) -> SamplePanel:
    panel = SamplePanel()
    qtbot.addWidget(panel)
    panel.resize(560, 900)  # about the size of the window's sample dock
    panel.show()
    return panel


def _sample(qtbot, panel: SamplePanel) -> str:
    """Press Sample and wait for the streamed text."""
    with qtbot.waitSignal(panel.samplingFinished, timeout=20_000) as blocker:
        panel.sampleButton.click()
    return blocker.args[0]


def _bars(panel: SamplePanel) -> list[pg.BarGraphItem]:
    items = panel.nextCharPlot.getPlotItem().items
    return [item for item in items if isinstance(item, pg.BarGraphItem)]


def test_sample_streams_the_prime_and_the_length_asked(qtbot, panel, sonnets_sampler) -> None:
    panel.set_sampler(sonnets_sampler, STEPS)
    panel.primeEdit.setText("Shall I ")
    panel.lengthSpin.setValue(3000)
    changes = []
    panel.sampleOutput.textChanged.connect(lambda: changes.append(1))
    with qtbot.waitSignal(panel.samplingFinished, timeout=20_000) as blocker:
        panel.sampleButton.click()
        # The click returned before the text was written: the timer writes it piece by piece.
        assert panel.is_sampling()
        assert panel.sampleButton.text() == "Stop"
    text = blocker.args[0]
    assert panel.sampleOutput.toPlainText() == text
    assert text.startswith("Shall I ")
    assert len(text) == len("Shall I ") + 3000
    assert len(changes) > 2, "the text should arrive over several timer ticks"
    assert not panel.is_sampling()
    assert panel.sampleButton.text() == "Sample"


def test_output_columns_line_up(panel) -> None:
    """Narrow and wide characters take the same width, as a user sees it. (QFontInfo.fixedPitch
    is false for some monospaced fonts, e.g. Noto Sans Mono as fontconfig's "monospace".)"""
    metrics = QFontMetrics(panel.sampleOutput.font())
    narrow, wide = metrics.horizontalAdvance("i" * 10), metrics.horizontalAdvance("M" * 10)
    assert narrow == wide > 0


def test_chart_shows_top_characters_and_follows_the_temperature(qtbot, panel, sonnets_sampler):
    panel.set_sampler(sonnets_sampler, STEPS)
    panel.primeEdit.setText("Shall I")
    title = panel.nextCharPlot.getPlotItem().titleLabel
    qtbot.waitUntil(lambda: "Shall I" in title.text)  # the prime applies after a typing pause
    bars = _bars(panel)
    assert len(bars) == 1

    panel.temperatureSlider.setValue(slider_position(2.0))
    assert panel.temperatureLabel.text() == "T = 2.00"
    hot = list(bars[0].opts["height"])
    panel.temperatureSlider.setValue(slider_position(0.3))
    assert panel.temperatureLabel.text() == f"T = {panel.temperature():.2f}" == "T = 0.30"
    cold = list(bars[0].opts["height"])

    assert _bars(panel) == bars, "the bar item is updated, never recreated"
    assert len(hot) == len(cold) == 15
    assert sum(hot) <= 1.0 + 1e-9 and sum(cold) <= 1.0 + 1e-9
    assert max(cold) > max(hot)
    assert cold == sorted(cold, reverse=True)
    labels = [label for label, _ in panel.next_char_chart()]
    assert len(labels) == 15 and " " not in labels and "\n" not in labels


def test_greedy_gives_the_same_text_twice(qtbot, panel, sonnets_sampler) -> None:
    panel.set_sampler(sonnets_sampler, STEPS)
    panel.primeEdit.setText("When ")
    panel.lengthSpin.setValue(200)
    panel.greedyCheck.setChecked(True)
    first = _sample(qtbot, panel)
    assert _sample(qtbot, panel) == first
    assert len(first) == len("When ") + 200


def test_unknown_prime_characters_are_dropped_with_a_warning(qtbot, panel, sonnets_sampler):
    panel.set_sampler(sonnets_sampler, STEPS)
    panel.lengthSpin.setValue(50)
    panel.primeEdit.setText("Shall I ☃ compare")
    qtbot.waitUntil(panel.primeWarning.isVisible)  # shown while typing, before any sampling
    assert "☃" in panel.primeWarning.text()
    text = _sample(qtbot, panel)
    assert text.startswith("Shall I  compare")
    assert len(text) == len("Shall I  compare") + 50
    panel.primeEdit.setText("Shall I")
    qtbot.waitUntil(lambda: not panel.primeWarning.isVisible())


def test_auto_sample_adds_one_timeline_entry_per_step(qtbot, panel, sonnets_sampler) -> None:
    assert not panel.auto_sample_now(), "no model, no sample"
    panel.set_sampler(sonnets_sampler, 500)
    assert panel.auto_sample_now()
    assert not panel.auto_sample_now(), "the same step is sampled once"
    panel.set_sampler(sonnets_sampler, 501)
    assert panel.auto_sample_now()
    entries = panel.sampleTimeline.toPlainText().split("\n")
    assert [entry.split(":")[0] for entry in entries] == ["step 500", "step 501"]
    assert all(len(entry) > len("step 500: ") + 100 for entry in entries)

    # The real timer, every second while checked (and once at once when checked).
    panel.autoSampleSeconds.setValue(1)
    panel.set_sampler(sonnets_sampler, 502)
    panel.autoSampleCheck.setChecked(True)
    assert "step 502:" in panel.sampleTimeline.toPlainText()
    panel.set_sampler(sonnets_sampler, 503)
    qtbot.waitUntil(lambda: "step 503:" in panel.sampleTimeline.toPlainText(), timeout=5000)
    panel.autoSampleCheck.setChecked(False)
    assert panel.sampleTimeline.toPlainText().count("step 503:") == 1


def test_line_mode_marks_each_line_new_or_seen(qtbot, panel, names) -> None:
    sampler, training_lines = names
    panel.set_sampler(sampler, STEPS, training_lines)
    assert panel.lineCountSpin.isVisible() and not panel.lengthSpin.isVisible()
    panel.primeEdit.setText("a")
    panel.lineCountSpin.setValue(12)
    panel.temperatureSlider.setValue(slider_position(0.5))
    names_out = _sample(qtbot, panel).split("\n")
    shown = panel.sampleOutput.toPlainText().split("\n")
    assert len(names_out) == len(shown) == 12
    for name, line in zip(names_out, shown):
        assert name.startswith("a")
        marker = MARK_SEEN if name in training_lines else MARK_NEW
        assert line == marker + name

    # Greedy is deterministic: this model's most likely name is one it was trained on.
    panel.greedyCheck.setChecked(True)
    panel.lineCountSpin.setValue(2)
    _sample(qtbot, panel)
    seen = [line for line in panel.sampleOutput.toPlainText().split("\n") if line[:5] == MARK_SEEN]
    assert seen and all(line[5:] in training_lines for line in seen)

    assert panel.auto_sample_now()
    entry = panel.sampleTimeline.toPlainText()
    assert entry.startswith(f"step {STEPS}: a") and entry.count("⏎") == 4  # 5 lines


def test_without_a_model_the_button_is_disabled_and_the_chart_empty(panel, sonnets_sampler):
    assert not panel.sampleButton.isEnabled()
    assert not panel.sample()
    defaults = (panel.lengthSpin, panel.lineCountSpin, panel.autoSampleSeconds, panel.topKSpin)
    assert [spin.value() for spin in defaults] == [300, 10, 10, 0]
    assert panel.temperatureLabel.text() == "T = 0.80"
    assert len(_bars(panel)[0].opts["height"]) == 0
    assert "train a model first" in panel.nextCharPlot.getPlotItem().titleLabel.text
    panel.set_sampler(sonnets_sampler, STEPS)
    assert panel.sampleButton.isEnabled() and len(panel.next_char_chart()) == 15
    panel.set_sampler(None, 0)
    assert not panel.sampleButton.isEnabled() and panel.next_char_chart() == []


@pytest.mark.parametrize("how", ["button", "escape"])
def test_a_running_sample_can_be_stopped(qtbot, panel, sonnets_sampler, how) -> None:
    panel.set_sampler(sonnets_sampler, STEPS)
    panel.primeEdit.setText("Shall I")
    panel.lengthSpin.setValue(100_000)
    panel.sampleButton.click()
    qtbot.waitUntil(lambda: len(panel.sampleOutput.toPlainText()) > 200)
    with qtbot.waitSignal(panel.samplingFinished, timeout=5000) as blocker:
        if how == "button":
            panel.sampleButton.click()
        else:
            panel.activateWindow()
            qtbot.waitUntil(panel.isActiveWindow)
            qtbot.keyClick(panel.sampleOutput, Qt.Key.Key_Escape)
    assert 200 < len(blocker.args[0]) < 100_000
    assert not panel.is_sampling() and panel.sampleButton.text() == "Sample"


def test_export_writes_output_and_timeline(qtbot, panel, sonnets_sampler, tmp_path) -> None:
    panel.set_sampler(sonnets_sampler, STEPS)
    panel.lengthSpin.setValue(40)
    text = _sample(qtbot, panel)
    panel.auto_sample_now()
    path = tmp_path / "samples.txt"
    panel.export_samples(str(path))
    written = path.read_text(encoding="utf-8")
    assert text in written and f"step {STEPS}:" in written


def test_screenshots_normal_and_large_font(qtbot, panel, sonnets_sampler, names) -> None:
    """Saved for a person to look at; checks only that the larger font reached the widgets."""
    panel.set_sampler(sonnets_sampler, STEPS)
    panel.primeEdit.setText("Shall I compare thee ☃")
    panel.auto_sample_now()
    _sample(qtbot, panel)
    panel.grab().save(str(SCREENSHOTS / "sample_panel.png"))
    app = QApplication.instance()
    original = app.font()
    normal_size = panel.sampleOutput.font().pointSizeF()
    try:
        large = app.font()
        large.setPointSizeF(original.pointSizeF() * 1.5)
        app.setFont(large)
        panel.set_font_scale(1.5)
        qtbot.waitUntil(lambda: panel.sampleOutput.font().pointSizeF() > normal_size * 1.4)
        panel.grab().save(str(SCREENSHOTS / "sample_panel_large.png"))
        sampler, training_lines = names
        panel.set_sampler(sampler, STEPS, training_lines)
        panel.primeEdit.setText("ma")
        _sample(qtbot, panel)
        panel.grab().save(str(SCREENSHOTS / "sample_panel_lines_large.png"))
    finally:
        app.setFont(original)
        panel.set_font_scale(1.0)
