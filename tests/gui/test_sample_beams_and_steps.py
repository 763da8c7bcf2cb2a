"""The sample panel's beam search (beamSpin) and its timeline at fixed training steps, with real
widgets, real samplers and, for the schedule, the real window training in its thread."""

from __future__ import annotations

import re

import pytest
from test_main_window import TIMEOUT, click, tiny
from test_sample_panel import _train

from rnnlab.core.corpus import load_corpus
from rnnlab.core.sampling import Sampler, SampleSettings
from rnnlab.gui.panels.sample_panel import SamplePanel
from rnnlab.gui.panels.sample_timeline import AT_STEPS, parse_steps

RANKED = re.compile(r"^(\d+)\. (\S+)\n   (.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def sampler() -> Sampler:
    return _train(load_corpus("sonnets"))


@pytest.fixture
def panel(qtbot) -> SamplePanel:
    panel = SamplePanel()
    qtbot.addWidget(panel)
    panel.resize(560, 900)
    panel.show()
    return panel


def _number(text: str) -> float:
    return float(text.replace("\N{MINUS SIGN}", "-"))


def test_beam_search_shows_the_k_best_continuations_and_greedy_s(qtbot, panel, sampler):
    panel.set_sampler(sampler, 60)
    panel.primeEdit.setText("Shall I")
    panel.lengthSpin.setValue(20)
    panel.beamSpin.setValue(4)
    with qtbot.waitSignal(panel.samplingFinished, timeout=20_000) as finished:
        panel.sampleButton.click()
    shown = panel.sampleOutput.toPlainText()
    ranked = list(RANKED.finditer(shown))
    assert [int(match.group(1)) for match in ranked] == [1, 2, 3, 4]
    scores = [_number(match.group(2)) for match in ranked]
    assert scores == sorted(scores, reverse=True)
    expected = sampler.beam_search("Shall I", 4, 20)
    assert [match.group(3) for match in ranked] == [text for text, _ in expected]
    assert scores == pytest.approx([score for _, score in expected], abs=0.006)  # 2 decimals
    assert finished.args[0] == "Shall I" + expected[0][0]
    # Greedy decoding's text and score close the report, and never beat the best beam.
    greedy = sampler.sample("Shall I", 20, SampleSettings(greedy=True))
    greedy_score, greedy_text = re.search(r"^greedy (\S+)\n   (.*)$", shown, re.MULTILINE).groups()
    assert greedy_text == greedy
    assert _number(greedy_score) <= scores[0] + 1e-9
    assert panel.sampleButton.text() == "Sample", "a search ends at once: nothing to stop"

    panel.beamSpin.setValue(panel.beamSpin.minimum())  # "off": sampling streams again
    assert panel.beamSpin.text() == "off"
    with qtbot.waitSignal(panel.samplingFinished, timeout=20_000) as finished:
        panel.sampleButton.click()
    assert len(finished.args[0]) == len("Shall I") + 20


def test_the_steps_field_takes_a_schedule_and_names_a_mistake(qtbot, panel) -> None:
    assert parse_steps("700, 100 300;300  500") == (100, 300, 500, 700)
    for wrong in ("", "100, ten", "0", "-5", "1.5"):
        with pytest.raises(ValueError):
            parse_steps(wrong)
    timeline = panel.timeline
    timeline.autoSampleModeCombo.setCurrentText(AT_STEPS)
    assert timeline.autoSampleStepsEdit.isVisible() and not panel.autoSampleSeconds.isVisible()
    timeline.autoSampleStepsEdit.setText("100, ten")
    assert "'ten' is not a step" in timeline.stepsWarning.text()
    assert timeline.stepsWarning.isVisible()
    assert timeline.scheduled_steps() == (100, 300, 500, 700, 1200, 2000), "the last good one"
    timeline.autoSampleStepsEdit.setText("5, 10")
    assert not timeline.stepsWarning.isVisible() and timeline.scheduled_steps() == (5, 10)


def test_at_steps_the_timeline_samples_each_scheduled_step_once(qtbot, panel, sampler) -> None:
    timeline = panel.timeline
    timeline.autoSampleModeCombo.setCurrentText(AT_STEPS)
    timeline.autoSampleStepsEdit.setText("100, 300")
    with qtbot.waitSignal(timeline.stepsWanted) as wanted:
        panel.autoSampleCheck.setChecked(True)
    assert wanted.args[0] == frozenset({100, 300})
    for step in (40, 100, 100, 200, 300, 400):  # snapshots as training sends them
        panel.set_sampler(sampler, step)
    steps = [entry.split(":")[0] for entry in panel.sampleTimeline.toPlainText().split("\n")]
    assert steps == ["step 100", "step 300"]
    panel.set_sampler(None, 0)  # the run was reset: its next step 100 is another model
    panel.set_sampler(sampler, 100)
    assert panel.sampleTimeline.toPlainText().count("step 100:") == 2
    with qtbot.waitSignal(timeline.stepsWanted) as wanted:
        panel.autoSampleCheck.setChecked(False)
    assert wanted.args[0] == frozenset(), "training need not copy weights for nobody"


def test_the_window_samples_the_model_right_after_each_scheduled_step(qtbot, window) -> None:
    main = window
    tiny(main)
    timeline = main.sample_panel.timeline
    timeline.autoSampleModeCombo.setCurrentText(AT_STEPS)
    timeline.autoSampleStepsEdit.setText("7, 40, 133")
    main.sample_panel.autoSampleCheck.setChecked(True)
    main.training_bar.steps_budget.setValue(150)
    click(qtbot, main, "trainButton")
    qtbot.waitUntil(lambda: "step 133:" in timeline.text(), timeout=TIMEOUT)
    steps = [entry.split(":")[0] for entry in timeline.text().split("\n")]
    assert steps == ["step 7", "step 40", "step 133"]


def test_in_line_mode_beams_are_whole_names_with_the_prefix(qtbot, panel) -> None:
    corpus = load_corpus("names")
    sampler = _train(corpus)
    panel.set_sampler(sampler, 60, frozenset(corpus.lines))
    panel.primeEdit.setText("ma")
    panel.lineCountSpin.setValue(2)  # lines to sample; a beam search ends at the line's end
    panel.beamSpin.setValue(3)
    with qtbot.waitSignal(panel.samplingFinished, timeout=20_000):
        panel.sampleButton.click()
    shown = panel.sampleOutput.toPlainText()
    assert "to the line's end" in shown
    names = [match.group(3) for match in RANKED.finditer(shown)]
    expected = sampler.beam_search("ma", 3, 100)
    assert names == ["ma" + text for text, _ in expected] and len(names) == 3
    assert all("⏎" not in name for name in names)


def test_auto_sample_makes_room_for_the_timeline(qtbot, panel) -> None:
    before = panel.sampleTimeline.height()
    panel.autoSampleCheck.setChecked(True)
    qtbot.waitUntil(lambda: panel.sampleTimeline.height() > before)
    assert panel.sampleTimeline.height() >= panel.sampleOutput.height() * 0.8


def test_kept_samples_stand_side_by_side_with_their_entropies(qtbot, panel, sampler) -> None:
    from rnnlab.gui.panels.sample_panel import slider_position

    panel.set_sampler(sampler, 60)
    panel.primeEdit.setText("Shall I")
    panel.lengthSpin.setValue(60)
    panel.keepSamplesCheck.setChecked(True)
    for temperature in (0.3, 2.0):
        panel.temperatureSlider.setValue(slider_position(temperature))
        with qtbot.waitSignal(panel.samplingFinished, timeout=20_000):
            panel.sampleButton.click()
    shown = panel.sampleOutput.toPlainText()
    assert shown.index("— T = 0.30 —") < shown.index("— T = 2.00 —")
    entropies = [float(value) for value in re.findall(r"\(mean entropy ([\d.]+) nats", shown)]
    assert len(entropies) == 2 and entropies[0] < entropies[1]
    assert panel.sampleEntropyLabel.text().startswith(f"T = 2.00: mean entropy {entropies[1]:.2f}")

    panel.keepSamplesCheck.setChecked(False)  # one sample at a time again, its entropy below
    with qtbot.waitSignal(panel.samplingFinished, timeout=20_000) as finished:
        panel.sampleButton.click()
    assert panel.sampleOutput.toPlainText() == finished.args[0]
