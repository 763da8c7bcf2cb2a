"""n-gram baselines in the window: labelled lines on the loss plot in its unit, n-gram sample
sources, and the background build (a replaced corpus, a failure, a short text, closing)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox

from rnnlab.app import create_main_window
from rnnlab.core.ngram import NgramCounts, split_for_ngrams
from rnnlab.core.ngram_baselines import BuildRequest, baseline_losses, build
from rnnlab.core.validation_layout import validation_text

TIMEOUT = 60_000
ON_LINUX_PROC = Path("/proc/self/stat").exists()


def choose(main, key: str) -> None:
    combo = main.findChild(QComboBox, "baselineCombo")
    combo.setCurrentIndex(combo.findData(key))


def expected_losses(main) -> list[float]:
    """What the lines should say: n-grams of orders 1-8 scored by the engine directly on the
    panel's validation characters."""
    corpus, config = main.corpus, main.model_panel.train_config()
    train, _, _ = split_for_ngrams(corpus, config.validation_fraction)
    text = validation_text(
        corpus, batch_size=config.batch_size, seq_len=config.seq_len,
        fraction=config.validation_fraction, eval_chars=config.eval_chars, context=7,
    )  # fmt: skip
    return baseline_losses(NgramCounts(train, len(corpus.vocabulary), 8), text, range(1, 9))


def lines_for(losses: list[float], convert=lambda nats: f"{nats:.2f}") -> list[str]:
    best = int(np.argmin(losses))
    return [f"{order + 1}-gram (Kneser–Ney) {convert(losses[order])}" for order in (0, 1, best)]


def ngram_processes() -> list[int]:
    """Children of this process running the n-gram build (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"ngram_baselines" in command:
            found.append(int(entry.name))
    return found


def ngram_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("rnnlab n-gram")]


def test_lines_appear_with_labels_follow_the_unit_and_the_settings(qtbot, window) -> None:
    main = window
    baselines = main.baselines
    choose(main, "best")
    baselines.build_now()
    qtbot.waitUntil(lambda: len(baselines.lines.labels()) == 3, timeout=TIMEOUT)
    losses = expected_losses(main)
    assert baselines.lines.labels() == lines_for(losses)
    best = int(np.argmin(losses))
    assert baselines.lines.values() == pytest.approx([losses[0], losses[1], losses[best]])
    assert main.loss_plot.uniform_line.isVisible()

    units = main.training_bar.unit_combo
    units.setCurrentIndex(units.findData("bits"))
    assert baselines.lines.labels() == lines_for(losses, lambda nats: f"{nats / np.log(2):.2f}")
    units.setCurrentIndex(units.findData("perplexity"))
    assert baselines.lines.values() == pytest.approx(np.exp([losses[0], losses[1], losses[best]]))
    assert baselines.lines.labels()[0].endswith(f" {np.exp(losses[0]):#.3g}")
    assert main.loss_plot.uniform_line.isVisible()  # the plot's own line, re-placed
    units.setCurrentIndex(units.findData("nats"))

    choose(main, "unigram")
    assert baselines.lines.labels() == lines_for(losses)[:1]
    choose(main, "none")
    assert baselines.lines.labels() == [] and not main.loss_plot.uniform_line.isVisible()

    # Other validation settings: other characters, scored again.
    choose(main, "best")
    main.model_panel.findChild(object, "seqLenSpin").setValue(16)
    main.model_panel.findChild(object, "batchSizeSpin").setValue(4)
    expected = lines_for(expected_losses(main))
    assert expected != lines_for(losses)
    qtbot.waitUntil(lambda: baselines.lines.labels() == expected, timeout=TIMEOUT)


def test_an_ngram_writes_markov_text_in_the_sample_panel(qtbot, window) -> None:
    main = window
    panel = main.sample_panel
    sources = panel.findChild(QComboBox, "sampleSourceCombo")
    assert [sources.itemText(i) for i in range(sources.count())] == ["current run"]
    main.baselines.build_now()
    qtbot.waitUntil(lambda: sources.count() == 9, timeout=TIMEOUT)
    assert sources.itemText(3) == "3-gram (Kneser–Ney)"
    sources.setCurrentIndex(5)
    assert not panel.has_sampler()  # no network yet: the n-gram samples all the same
    panel.findChild(object, "lengthSpin").setValue(200)
    panel.findChild(object, "primeEdit").setText("Then")
    with qtbot.waitSignal(panel.samplingFinished, timeout=TIMEOUT) as finished:
        assert panel.sample()
    text = finished.args[0]
    assert text.startswith("Then") and len(text) == 204
    assert set(text) <= set(main.corpus.vocabulary.chars)
    assert panel.next_char_chart()  # the chart shows the n-gram's next character


def test_a_replaced_corpus_build_is_ended_and_its_result_ignored(qtbot, window) -> None:
    main = window
    sonnets = main.corpus
    main.baselines.build_now()
    assert main.baselines.jobs.building()
    main.open_corpus("names")
    qtbot.waitUntil(lambda: main.corpus.name == "names", timeout=TIMEOUT)
    assert not main.baselines.jobs.building()  # the sonnets' build was ended
    if ON_LINUX_PROC:
        assert ngram_processes() == []
    with qtbot.waitSignal(main.baselines.jobs.built, timeout=TIMEOUT) as built:
        main.baselines.build_now()
    token, result = built.args
    assert result.counts.vocab_size == len(main.corpus.vocabulary)

    # A result for the corpus before arrives late: nothing changes.
    train, _, _ = split_for_ngrams(sonnets, 0.1)
    stale = build(BuildRequest(train, len(sonnets.vocabulary), 2, None))
    main.baselines.jobs.built.emit(token - 1, stale)
    sources = main.sample_panel.findChild(QComboBox, "sampleSourceCombo")
    assert sources.count() == 9
    sources.setCurrentIndex(1)
    assert main.sample_panel.sources.current().vocabulary is main.corpus.vocabulary


def test_a_failed_build_says_why_and_loses_nothing(qtbot, window, monkeypatch) -> None:
    from rnnlab.gui.window import baseline_jobs

    main = window
    monkeypatch.setattr(
        baseline_jobs, "child_command", lambda: [sys.executable, "-c", "raise SystemExit(3)"]
    )
    choose(main, "best")
    main.baselines.build_now()
    combo = main.findChild(QComboBox, "baselineCombo")
    qtbot.waitUntil(lambda: "failed" in combo.itemText(combo.findData("best")), timeout=TIMEOUT)
    assert "exit code 3" in combo.toolTip()
    assert "n-gram baselines failed" in main.statusBar().currentMessage()
    assert main.loss_plot.uniform_line.isVisible() and main.baselines.lines.labels() == []
    assert main.sample_panel.findChild(QComboBox, "sampleSourceCombo").count() == 1


def test_a_text_too_short_for_order_8_and_for_validation(qtbot, window, tmp_path) -> None:
    path = tmp_path / "six.txt"
    path.write_text("abcabd", encoding="utf-8")
    main = window
    main.open_corpus(str(path))
    qtbot.waitUntil(lambda: main.corpus.name == "six.txt", timeout=TIMEOUT)
    main.baselines.build_now()
    combo = main.findChild(QComboBox, "baselineCombo")
    sources = main.sample_panel.findChild(QComboBox, "sampleSourceCombo")
    qtbot.waitUntil(lambda: sources.count() == 7, timeout=TIMEOUT)  # orders 1-6
    assert "too short for order 8" in combo.itemData(combo.findData("best"), 3)
    assert "no validation" in combo.itemText(combo.findData("best"))
    assert "too short" in combo.toolTip() and main.baselines.lines.labels() == []


@pytest.mark.skipif(not ON_LINUX_PROC, reason="lists child processes from /proc")
def test_closing_during_a_build_leaves_no_process_or_thread(qtbot, tmp_path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main = create_main_window(["tinyshakespeare"], settings=settings)
    main.show()
    qtbot.waitUntil(lambda: main.corpus is not None, timeout=TIMEOUT)
    main.baselines.build_now()
    assert len(ngram_processes()) == 1 and ngram_threads()
    main.close()
    main.deleteLater()
    assert ngram_processes() == [] and ngram_threads() == []


def test_a_curve_that_ends_near_a_baseline_is_drawn_clear_of_its_label(qtbot, shown) -> None:
    from rnnlab.gui.plots.baseline_lines import BaselineLines
    from rnnlab.gui.plots.training_plots import LossPlot

    plot = shown(LossPlot(), 800, 400)
    lines = BaselineLines(plot)
    lines.show([("bigram", 2.49), ("6-gram (Kneser–Ney)", 1.56)])
    for run, name in ((1, "LSTM"), (2, "GRU")):  # the second is drawn as an overlay
        plot.add_run(run, name, run - 1)
        steps = np.arange(1, 1501)
        plot.append_steps(steps, 1.6 + 2.6 * np.exp(-steps / 60), np.zeros(1500, bool), run=run)
    plot.flush()
    overlay = plot._runs[2].overlays
    curves = (plot.smoothed_curve, plot.validation_curve, overlay["smoothed"],
              overlay["validation"])  # fmt: skip
    view = plot.getViewBox().sceneBoundingRect()
    for line in lines._lines:  # the networks' last points, not a label's backing, on top
        assert all(line.zValue() < curve.zValue() for curve in curves)
        # ... and the label at the left, away from where the curves end near the line
        label = line.label
        qtbot.waitUntil(lambda label=label: label.sceneBoundingRect().right() < view.center().x(),
                        timeout=2000)  # fmt: skip
    assert plot.uniform_line.zValue() > plot.validation_curve.zValue()  # on top, as before
