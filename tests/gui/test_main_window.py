"""The window as a user drives it: pick a corpus, train, pause, step, change the learning rate,
stop, sample, save and reopen, a bad file, closing while training."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from rnnlab.app import create_main_window
from rnnlab.core.config import ModelConfig, TrainConfig

TIMEOUT = 30_000


@pytest.fixture
def window(window):
    tiny(window)
    return window


def tiny(main) -> None:
    """A model small enough to train hundreds of steps a second."""
    main.model_panel.set_configs(
        ModelConfig(
            vocab_size=len(main.corpus.vocabulary), hidden_size=24, layers=1, embedding_size=8
        ),
        TrainConfig(
            batch_size=4, seq_len=16, eval_every=40, eval_chars=400, threads=1, device="cpu"
        ),
    )


def train_steps(qtbot, main, steps: int) -> None:
    """Train the current run for ``steps`` steps and wait until the thread has ended."""
    run = main.runs.current
    before = main.controller.steps.get(run, 0) if run is not None else 0
    main.training_bar.steps_budget.setValue(steps)
    main.actions_.train.trigger()
    qtbot.waitUntil(lambda: not main.controller.running and main.controller.step == before + steps,
                    timeout=TIMEOUT)  # fmt: skip


def click(qtbot, main, name: str) -> None:
    button = main.findChild(type(main.training_bar.train_button), name)
    assert button is not None and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_train_pause_step_change_rate_stop_and_sample(qtbot, window) -> None:
    main = window
    click(qtbot, main, "trainButton")
    qtbot.waitUntil(lambda: len(main.loss_plot.data()["validation_steps"]) > 0, timeout=TIMEOUT)
    assert len(main.loss_plot.data()["steps"]) > 0

    click(qtbot, main, "pauseButton")
    qtbot.waitUntil(lambda: main.controller.state == "paused", timeout=TIMEOUT)
    paused_at = main.controller.step
    click(qtbot, main, "stepButton")
    qtbot.waitUntil(lambda: main.controller.step == paused_at + 1, timeout=TIMEOUT)
    assert main.controller.state == "paused"

    click(qtbot, main, "pauseButton")  # resume
    qtbot.waitUntil(lambda: main.controller.state == "running", timeout=TIMEOUT)
    spin = main.findChild(type(main.model_panel.learningRateSpin), "learningRateSpin")
    assert spin.isEnabled()
    spin.setValue(0.001)
    spin.editingFinished.emit()
    qtbot.waitUntil(
        lambda: any("0.001" in m or "1e-03" in m for m in main.loss_plot.marker_labels()),
        timeout=TIMEOUT,
    )

    click(qtbot, main, "stopButton")
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    assert main.training_bar.train_button.text().endswith("Continue")

    qtbot.waitUntil(main.sample_panel.has_sampler, timeout=TIMEOUT)
    with qtbot.waitSignal(main.sample_panel.samplingFinished, timeout=TIMEOUT) as finished:
        click_sample(qtbot, main)
    assert len(finished.args[0]) > 0
    assert main.sample_panel.findChild(object, "sampleOutput").toPlainText()


def click_sample(qtbot, main) -> None:
    button = main.sample_panel.findChild(type(main.training_bar.train_button), "sampleButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_save_reopen_and_continue(qtbot, window, tmp_path) -> None:
    main = window
    main.training_bar.steps_budget.setValue(30)
    click(qtbot, main, "trainButton")
    qtbot.waitUntil(
        lambda: main.controller.step == 30 and not main.controller.running, timeout=TIMEOUT
    )
    path = str(tmp_path / "poem.pt")
    main.files.model_path = path
    with qtbot.waitSignal(main.controller.saved, timeout=TIMEOUT):
        main.actions_.save.trigger()
    assert Path(path).exists() and not main.controller.dirty

    # The model loads in a background thread: wait for it, not for a state the old run also had.
    with qtbot.waitSignal(main.loader.checkpointLoaded, timeout=TIMEOUT):
        main.files.open_model_file(path)
    assert main.controller.step == 30 and main.controller.has_model
    qtbot.waitUntil(lambda: len(main.loss_plot.data()["steps"]) == 30, timeout=TIMEOUT)
    main.training_bar.steps_budget.setValue(10)
    click(qtbot, main, "trainButton")
    qtbot.waitUntil(
        lambda: main.controller.step == 40 and not main.controller.running, timeout=TIMEOUT
    )
    steps = main.loss_plot.data()["steps"].tolist()
    assert steps == list(range(1, 41))  # the reopened run goes on where it stopped


def test_a_bad_file_shows_a_message_and_keeps_the_corpus(qtbot, window, tmp_path) -> None:
    main = window
    before = main.corpus
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    main.open_corpus(str(binary))
    qtbot.waitUntil(lambda: main.banner.isVisible(), timeout=TIMEOUT)
    assert "looks binary" in main.banner.label.text()
    assert main.corpus is before
    assert "sonnets" in main.corpus_panel.findChild(object, "corpusInfo").text()


def test_pick_a_bundled_corpus(qtbot, window) -> None:
    main = window
    combo = main.corpus_panel.findChild(object, "corpusCombo")
    index = next(i for i in range(combo.count()) if combo.itemData(i) == "names")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick emits (setCurrentIndex alone does not)
    qtbot.waitUntil(lambda: main.corpus.name == "names", timeout=TIMEOUT)
    assert main.corpus.line_mode and main.training_lines
    info = main.corpus_panel.findChild(object, "corpusInfo").text()
    assert "27" in info  # the vocabulary


def test_closing_while_training_stops_within_two_seconds(qtbot, window) -> None:
    main = window
    click(qtbot, main, "trainButton")
    qtbot.waitUntil(lambda: main.controller.step > 5, timeout=TIMEOUT)

    def discard() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QMessageBox):
            dialog.button(QMessageBox.StandardButton.Discard).click()
        else:
            QTimer.singleShot(50, discard)

    QTimer.singleShot(50, discard)
    started = time.monotonic()
    assert main.close()
    assert time.monotonic() - started < 2.5  # the question's own 50 ms included
    assert not main.controller.running


def test_divergence_pauses_and_explains(qtbot, window) -> None:
    main = window
    main.model_panel.set_configs(
        ModelConfig(
            vocab_size=len(main.corpus.vocabulary),
            cell="rnn-relu",
            hidden_size=64,
            layers=1,
            embedding_size=16,
        ),
        TrainConfig(
            batch_size=8,
            seq_len=32,
            optimizer="sgd",
            learning_rate=50.0,
            momentum=0.0,
            clip="none",
            threads=1,
            device="cpu",
        ),
    )
    click(qtbot, main, "trainButton")
    qtbot.waitUntil(
        lambda: main.controller.state == "paused" and main.banner.isVisible(), timeout=TIMEOUT
    )
    text = main.banner.label.text()
    assert "diverged" in text and "clipping" in text
    assert main.banner.resume_button.isVisible() and main.banner.reset_button.isVisible()
    assert main.loss_plot.divergence_lines  # the point is marked on the plot
    qtbot.mouseClick(main.banner.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    assert not main.controller.has_model and not main.banner.isVisible()


def test_exports_and_settings_persist(qtbot, window, tmp_path) -> None:
    from rnnlab.gui.widgets.exporting import export_widget
    from rnnlab.gui.window.actions import write_loss_csv

    main = window
    main.training_bar.steps_budget.setValue(45)
    click(qtbot, main, "trainButton")
    qtbot.waitUntil(
        lambda: not main.controller.running and main.controller.step == 45, timeout=TIMEOUT
    )
    main.loss_plot.flush()
    write_loss_csv(str(tmp_path / "loss.csv"), main.loss_plot.data())
    rows = (tmp_path / "loss.csv").read_text().splitlines()
    assert rows[0].startswith("step,loss_nats") and len(rows) == 46
    assert rows[40].split(",")[4] != ""  # the validation at step 40
    export_widget(main.loss_plot, str(tmp_path / "loss.svg"))
    export_widget(main.grad_norm_plot, str(tmp_path / "grad.png"))
    assert "<svg" in (tmp_path / "loss.svg").read_text()[:500]
    assert (tmp_path / "grad.png").stat().st_size > 1000
    main.model_panel.findChild(object, "hiddenSizeSpin").setValue(40)
    main.save_settings()
    again = create_main_window([], settings=main.settings)
    qtbot.waitUntil(lambda: again.corpus is not None, timeout=TIMEOUT)
    assert again.corpus.name == "sonnets"  # the last corpus
    assert again.model_panel.findChild(object, "hiddenSizeSpin").value() == 40
    again.close()
    again.deleteLater()


def test_garbage_is_collected_only_in_the_gui_thread(qtbot, window) -> None:
    """Worker and pool threads must never finalise Qt objects (rnnlab.gui.window.collector)."""
    import gc
    import threading

    assert not gc.isenabled()
    threads: list[threading.Thread] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            threads.append(threading.current_thread())

    gc.callbacks.append(record)
    try:
        for _ in range(2000):  # cycles: only the collector frees them
            cycle: list = []
            cycle.append(cycle)
        main = window
        main.train()  # a training thread allocating all the while
        qtbot.waitUntil(lambda: len(threads) > 0 and main.controller.step > 0, timeout=TIMEOUT)
    finally:
        gc.callbacks.remove(record)
    assert set(threads) == {threading.main_thread()}


def test_the_speed_shown_after_training_is_the_last_measured(qtbot, window) -> None:
    main = window
    train_steps(qtbot, main, 30)
    QApplication.processEvents()  # the worker's last updates (a validation alone has no speed)
    speed = main.parts.status_speed.text()
    assert speed.endswith("chars/s") and not speed.startswith("0 ")


def test_work_that_ends_after_the_window_closed_is_dropped_quietly(qtbot) -> None:
    # Closing the window while a pool thread still learned a text's words ended in "Signal
    # source has been deleted" from that thread: its result now goes nowhere, quietly.
    import threading

    import shiboken6
    from PySide6.QtCore import QObject, QThreadPool, Signal

    from rnnlab.gui.training.loading import Job

    class Asker(QObject):
        done = Signal(object)
        failed = Signal(str)

    asker, release = Asker(), threading.Event()
    QThreadPool.globalInstance().start(Job(lambda: release.wait(10), asker.done, asker.failed))
    shiboken6.delete(asker)  # what closing the window does to what asked
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)


def test_a_model_larger_than_memory_is_refused_before_anything_is_built(qtbot, window) -> None:
    # On Linux such a run is not an error: the kernel kills the whole window, runs and all.
    from rnnlab.core.memory_estimate import available_memory

    if available_memory() is None:
        pytest.skip("this system does not say how much memory is free")
    main = window
    main.model_panel.set_configs(
        ModelConfig(vocab_size=len(main.corpus.vocabulary), hidden_size=16_384, layers=16),
        TrainConfig(batch_size=65_536, seq_len=1_000_000, device="cpu"),
    )
    main.actions_.train.trigger()
    message = main.banner.label.text()
    assert "needs at least" in message and "parameters" in message
    assert not main.controller.running and len(main.runs) == 0
    tiny(main)  # a model that fits trains as before
    train_steps(qtbot, main, 3)


def test_a_run_whose_weights_are_in_memory_goes_on_where_a_new_one_would_not_fit(
    qtbot, window, monkeypatch
) -> None:
    # Its weights, gradients and optimizer state are already taken from the free memory:
    # counting them again refused Train on a run that had just trained.
    from rnnlab.gui.window import start_checks

    main = window
    train_steps(qtbot, main, 2)
    monkeypatch.setattr(start_checks, "available_memory", lambda: 1_000)  # next to nothing free
    train_steps(qtbot, main, 2)  # the same run goes on
    assert main.controller.step == 4 and len(main.runs) == 1
    main.actions_.new_run.trigger()  # a new model would need memory of its own
    assert "needs at least" in main.banner.label.text() and len(main.runs) == 1
