"""Tasks in the window: choose one in place of a corpus, train, make it harder with the distance
slider (runs keep their weights), probe its sequences, race cells on it, save and reopen."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox
from test_main_window import TIMEOUT
from test_runs import train_steps

from rnnlab.core.checkpoint import load_checkpoint
from rnnlab.core.tasks import TASKS, Task
from rnnlab.gui.panels.race_dialog import RaceChoice


def choose(qtbot, main, name: str) -> Task:
    """Pick "task: NAME" in the corpus picker, as a user does."""
    combo = main.corpus_panel.corpusCombo
    index = combo.findData(f"task:{name}")
    assert index >= 0, f"task {name} is not offered"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    qtbot.waitUntil(lambda: isinstance(main.corpus, Task) and main.corpus.spec.name == name,
                    timeout=TIMEOUT)  # fmt: skip
    return main.corpus


def small(main) -> None:
    """A task model small enough for a test, validated often."""
    panel = main.model_panel
    model, train = panel.model_config(main.corpus_shape()), panel.train_config()
    panel.set_configs(
        model.__class__(**{**model.to_dict(), "hidden_size": 16}),
        train.__class__(**{**train.to_dict(), "eval_every": 10, "threads": 1, "device": "cpu"}),
    )


@pytest.fixture
def on_adding(qtbot, window):
    choose(qtbot, window, "adding")
    small(window)
    return window


def test_a_task_replaces_the_corpus_with_its_own_settings_and_views(qtbot, window) -> None:
    task = choose(qtbot, window, "adding")
    assert task.length == 50 and window.windowTitle() == "rnnlab — adding, T = 50"
    panel = window.corpus_panel
    assert panel.taskLengthSlider.isVisibleTo(window) and not panel.preview.isVisibleTo(window)
    assert "0.167" in panel.task_section.taskInfo.text()  # its chance loss, said up front
    model = window.model_panel.model_config(window.corpus_shape())
    assert (model.input_size, model.vocab_size, model.outputs) == (2, 0, 1)
    assert (model.hidden_size, model.layers) == (64, 1)  # the task's defaults
    assert not window.sample_panel.isEnabled()  # a task writes no text
    table = window.parts.runs_panel.table
    headers = [table.horizontalHeaderItem(column).text() for column in range(table.columnCount())]
    assert "answers" in headers and "chars" not in headers  # sequences, not characters
    assert window.parts.x_axis_control.combo.itemText(1) == "sequences answered"
    flow_frame = window.inspector.flow_plot.parentWidget()
    assert "answer's loss" in flow_frame.explanation.text()
    bar = window.inspector.probe_bar  # shown on the inspector's pages
    assert not bar.new_sequence_button.isHidden() and bar.default_button.isHidden()


def test_make_it_harder_keeps_the_weights_and_marks_the_change(qtbot, on_adding, tmp_path) -> None:
    main = on_adding
    train_steps(qtbot, main, 20)
    run = main.runs.current
    main.corpus_panel.task_section.taskLengthSpin.setValue(120)  # as typed and confirmed
    assert main.corpus == Task(TASKS["adding"], 120) and main.runs.current == run
    train_steps(qtbot, main, 10)
    assert main.loss_plot.data(run)["steps"].tolist() == list(range(1, 31))  # one run, going on
    assert "T 50 → 120" in [marker.text for marker in main.loss_plot._runs[run].markers]
    path = tmp_path / "harder.pt"
    main.files.model_path = str(path)
    main.files.save_model()
    qtbot.waitUntil(path.exists, timeout=TIMEOUT)
    checkpoint = load_checkpoint(path)
    assert checkpoint.task == Task(TASKS["adding"], 120) and checkpoint.step == 30
    events = [event for event in checkpoint.history.events if event["name"] == "task_length"]
    assert [(e["step"], str(e["old"]), str(e["new"])) for e in events] == [(20, "50", "120")]


def test_the_inspector_probes_task_sequences_and_draws_another(qtbot, on_adding) -> None:
    main = on_adding
    train_steps(qtbot, main, 5)
    inspector = main.inspector
    def probed() -> bool:
        return inspector.latest is not None and inspector.latest.probe.task == "adding"

    qtbot.waitUntil(probed, timeout=TIMEOUT)
    first = inspector.latest.probe
    assert first.positions == 50 and first.marks.sum() == 2
    assert np.isfinite(first.losses[-1]) and first.layers[0].gradient_norms[-1] > 0
    inspector.probe_bar.new_sequence_button.click()
    # A probe of the first sequence may still be on its way: wait for the other sequence.
    qtbot.waitUntil(lambda: inspector.latest.probe.input_text != first.input_text,
                    timeout=TIMEOUT)  # fmt: skip
    second = inspector.latest.probe
    assert second.positions == 50 and second.marks.sum() == 2
    assert "(number 2)" in inspector.probe_bar.status.text()


def test_a_probe_of_the_earlier_sequence_finishing_last_does_not_replace_the_new_one(
    qtbot, on_adding
) -> None:
    """Idle runs are probed in pool threads, which finish in any order."""
    main = on_adding
    train_steps(qtbot, main, 3)
    inspector, controller = main.inspector, main.controller
    qtbot.waitUntil(lambda: inspector.latest is not None, timeout=TIMEOUT)
    earlier_request = controller._probe
    earlier = inspector.latest
    inspector.probe_bar.new_sequence_button.click()
    qtbot.waitUntil(lambda: inspector.latest.probe.input_text != earlier.probe.input_text,
                    timeout=TIMEOUT)  # fmt: skip
    newer = inspector.latest
    # The earlier sequence's probe arrives now, as a slow pool thread would deliver it.
    controller._probed.emit((controller.current, controller._generation, earlier_request, earlier))
    assert inspector.latest is newer


def test_a_race_on_a_task_and_back_to_text(qtbot, on_adding, monkeypatch) -> None:
    main = on_adding
    runs = main.run_commands.start_race(RaceChoice(("rnn", "lstm"), "params", 15, None, 7))
    qtbot.waitUntil(lambda: not main.controller.running, timeout=TIMEOUT)
    assert [main.runs.get(run).step for run in runs] == [15, 15]
    for run in runs:
        assert len(main.loss_plot.data(run)["steps"]) == 15
    asked = []
    yes = QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or yes)
    main.open_corpus("sonnets")
    qtbot.waitUntil(lambda: main.corpus is not None and not isinstance(main.corpus, Task),
                    timeout=TIMEOUT)  # fmt: skip
    assert asked and "belong to adding" in asked[0]
    assert main.runs.runs == {} and main.sample_panel.isEnabled()
    assert "last prediction's loss" in main.inspector.flow_plot.parentWidget().explanation.text()
    model = main.model_panel.model_config(main.corpus_shape())
    assert model.input_size == 0 and model.vocab_size == len(main.corpus.vocabulary)


def test_a_task_checkpoint_opens_as_a_run_on_its_task(qtbot, window, tmp_path) -> None:
    from rnnlab.cli import main as command

    path = tmp_path / "recall.pt"
    assert command(["train", "--task", "recall", "--task-length", "8", "--hidden-size", "16",
                    "--steps", "12", "--threads", "1", "--out", str(path)]) == 0  # fmt: skip
    window.files.open_path(str(path))
    qtbot.waitUntil(lambda: isinstance(window.corpus, Task), timeout=TIMEOUT)
    assert window.corpus == Task(TASKS["recall"], 8)
    run = window.runs.current
    assert window.runs.get(run).step == 12 and len(window.loss_plot.data(run)["steps"]) == 12


def test_the_distance_control_alt_letter_clashes_with_nothing_shown(qtbot, window) -> None:
    import re

    from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar

    choose(qtbot, window, "adding")
    texts = [w.text() for w in window.findChildren(QAbstractButton) if w.isVisible()]
    texts += [w.text() for w in window.findChildren(QLabel) if w.isVisible() and w.buddy()]
    for bar in window.findChildren(QTabBar):
        if bar.isVisible():
            texts += [bar.tabText(index) for index in range(bar.count())]
    texts += [action.text() for action in window.menuBar().actions()]  # &File, &Training, ...
    letters = [match[1].lower() for text in texts
               if (match := re.search(r"&([^&\s])", text.replace("&&", "")))]  # fmt: skip
    (distance,) = [text for text in texts if "Distance" in text.replace("&", "")]
    letter = re.search(r"&([^&\s])", distance)[1].lower()
    assert letters.count(letter) == 1, (letter, texts)


def test_the_task_and_its_distance_come_back_next_time(qtbot, window) -> None:
    from PySide6.QtWidgets import QApplication

    from rnnlab.app import create_main_window

    choose(qtbot, window, "order")
    window.corpus_panel.task_section.taskLengthSpin.setValue(35)
    window.save_settings()
    again = create_main_window([], settings=window.settings)
    again.show()
    qtbot.waitUntil(lambda: again.corpus is not None, timeout=TIMEOUT)
    assert again.corpus == Task(TASKS["order"], 35)
    assert again.corpus_panel.taskLengthSlider.value() == 35
    again.controller.dirty = False
    again.close()
    again.deleteLater()
    QApplication.processEvents()
