"""Lessons in the window: open one (by path, the command line, drag and drop), walk its steps
with the buttons and the clicker's keys, race its runs, save it back, hide controls, and the
black screen and shortcut sheet a teacher uses in front of a class."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMessageBox, QWidget
from test_main_window import TIMEOUT

from rnnlab.core.lesson import load_lesson
from rnnlab.core.tasks import TASKS, Task
from rnnlab.gui.panels.lesson_panel import START

# The example; its first step sets a budget of a few steps, so the race is short.
EXAMPLE = """\
title = "Why vanilla RNNs forget"
task = { name = "adding", length = 5 }
page = "gradients"
hidden_controls = ["optimizerCombo", "dropoutSpin"]

[[runs]]
name = "vanilla RNN"
model = { cell = "rnn", layers = 1, hidden_size = 128 }
train = { learning_rate = 0.002, clip = "norm", clip_value = 1.0, seed = 0 }

[[runs]]
name = "LSTM"
model = { cell = "lstm", layers = 1, hidden_size = 64 }
train = { learning_rate = 0.002, clip = "norm", clip_value = 1.0, seed = 0 }

[[steps]]
title = "Short distances"
text = "Press Next to race both cells on sums of numbers 5 steps apart."
action = ["set stepsBudgetSpin 4", "race"]

[[steps]]
title = "Fifty steps apart"
text = "Now the two numbers are <b>50 steps</b> apart. Watch the vanilla RNN stay on chance."
action = ["stop", "set taskLengthSpin 50", "race"]
"""

# Steps that train nothing: for walking back and forth.
PAGES_ONLY = """\
title = "Pages"
task = { name = "adding", length = 5 }

[[runs]]
name = "one"

[[steps]]
title = "The loss"
text = "First the loss."
action = "page loss"

[[steps]]
title = "The text"
text = "Then the text."
action = "page text"

[[steps]]
title = "The end"
text = "That is all."
"""


def write(tmp_path: Path, text: str, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def open_lesson(qtbot, main, path: Path) -> None:
    main.open_corpus(str(path))  # what File > Open, a recent file and a dropped file call
    qtbot.waitUntil(lambda: main.lessons.is_open and len(main.runs.runs) > 0, timeout=TIMEOUT)


def run_names(main) -> list[str]:
    return [run.name for run in main.runs.runs.values()]


def press(qtbot, main, key: Qt.Key) -> None:
    """A key pressed in the window while no text field has the focus (a clicker's)."""
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow, timeout=TIMEOUT)
    main.center_tabs.tabBar().setFocus()
    qtbot.keyClick(main, key)


def test_the_example_opens_its_task_runs_page_and_panel(qtbot, window, tmp_path) -> None:
    main = window
    open_lesson(qtbot, main, write(tmp_path, EXAMPLE))
    assert main.corpus == Task(TASKS["adding"], 5)
    assert main.corpus_panel.task_section.taskLengthSpin.value() == 5
    panel = main.parts.lesson_panel
    assert panel.isVisible() and panel.titleLabel.text() == "Why vanilla RNNs forget"
    assert main.lessons.position == START and "Short distances" in panel.stepText.text()
    assert not panel.backButton.isEnabled() and panel.nextButton.isEnabled()
    assert run_names(main) == ["vanilla RNN", "LSTM"]
    first, second = main.runs.runs.values()
    assert (first.model_config.cell, first.model_config.hidden_size) == ("rnn", 128)
    assert (second.model_config.cell, second.model_config.hidden_size) == ("lstm", 64)
    assert first.model_config.input_size == 2  # the task decides what the author leaves out
    assert first.train_config.learning_rate == 0.002 and first.train_config.seed == 0
    assert main.runs.current == first.run
    assert main.model_panel.cellTypeCombo.currentData() == "rnn"  # the current run's settings
    assert main.center_tabs.currentIndex() == 3  # gradients
    for name in ("optimizerCombo", "dropoutSpin"):
        control = main.findChild(QWidget, name)
        assert control.isHidden(), name
    assert main.model_panel.train_config().optimizer == "adam"  # hidden, still in use


def test_next_races_both_runs_then_makes_it_harder(qtbot, window, tmp_path, monkeypatch) -> None:
    main = window
    open_lesson(qtbot, main, write(tmp_path, EXAMPLE))
    runs = list(main.runs.runs)
    qtbot.mouseClick(main.parts.lesson_panel.nextButton, Qt.MouseButton.LeftButton)
    assert main.parts.lesson_panel.stepTitle.text() == "Step 1 of 2: Short distances"
    assert main.training_bar.steps_budget.value() == 4
    qtbot.waitUntil(lambda: not main.controller.running
                    and [main.runs.get(run).step for run in runs] == [4, 4],
                    timeout=TIMEOUT)  # fmt: skip
    for run in runs:
        assert len(main.loss_plot.data(run)["steps"]) == 4

    main.lessons.next()  # stop, set taskLengthSpin 50, race: the runs go on at T = 50
    assert "<b>50 steps</b>" in main.parts.lesson_panel.stepText.text()
    qtbot.waitUntil(lambda: not main.controller.running
                    and [main.runs.get(run).step for run in runs] == [8, 8],
                    timeout=TIMEOUT)  # fmt: skip
    assert main.corpus == Task(TASKS["adding"], 50)
    assert main.corpus_panel.task_section.taskLengthSlider.value() == 50
    assert not main.parts.lesson_panel.nextButton.isEnabled()  # the last step

    asked = []  # another lesson drops trained runs only once the user agrees
    answer = QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or answer)
    other = write(tmp_path, PAGES_ONLY, "pages.toml")
    main.open_corpus(str(other))
    assert asked and "2 run(s) with weights" in asked[0] and "2 of them not saved" in asked[0]
    assert list(main.runs.runs) == runs and main.lessons.lesson.title == "Why vanilla RNNs forget"
    answer = QMessageBox.StandardButton.Yes
    main.open_corpus(str(other))
    assert run_names(main) == ["one"] and main.corpus == Task(TASKS["adding"], 5)
    assert not main.controller.run_has_model(main.runs.current)


def test_a_lesson_naming_an_unknown_control_changes_nothing(qtbot, window, tmp_path) -> None:
    main = window
    before = main.corpus
    typo = EXAMPLE.replace("set taskLengthSpin 50", "set taskLenghtSpin 50")
    main.open_corpus(str(write(tmp_path, typo)))
    message = main.banner.label.text()
    assert "⚠</b> the lesson was not opened: " in message  # not a half-opened lesson
    assert "steps[2].action[2]" in message and "taskLenghtSpin" in message
    assert "did you mean taskLengthSpin?" in message
    assert main.corpus is before and not main.runs.runs and not main.lessons.is_open
    assert main.parts.lesson_panel.isHidden()
    assert not main.model_panel.optimizerCombo.isHidden()  # its hidden_controls not applied
    assert main.center_tabs.currentIndex() == 0

    too_far = EXAMPLE.replace("set taskLengthSpin 50", "set taskLengthSpin 500")
    main.open_corpus(str(write(tmp_path, too_far)))
    assert "from 5 to 200" in main.banner.label.text() and main.corpus is before
    hidden = EXAMPLE.replace('"dropoutSpin"]', '"dropoutSpinner"]')
    main.open_corpus(str(write(tmp_path, hidden)))
    assert "hidden_controls[2]" in main.banner.label.text() and main.corpus is before
    broken = EXAMPLE.replace("hidden_size = 128", "hiden_size = 128")
    main.open_corpus(str(write(tmp_path, broken)))
    message = main.banner.label.text()
    assert "⚠</b> the lesson was not opened: " in message and main.corpus is before
    assert "runs[1].model.hiden_size" in message


def test_back_and_next_by_the_clicker_keys(qtbot, window, tmp_path) -> None:
    main = window
    open_lesson(qtbot, main, write(tmp_path, PAGES_ONLY))
    main.center_tabs.setCurrentIndex(3)
    press(qtbot, main, Qt.Key.Key_PageDown)
    assert main.lessons.position == 0 and main.center_tabs.currentIndex() == 0  # page loss
    press(qtbot, main, Qt.Key.Key_Right)
    assert main.lessons.position == 1 and main.center_tabs.currentIndex() == 2  # page text
    press(qtbot, main, Qt.Key.Key_Left)
    assert main.lessons.position == 0 and main.center_tabs.currentIndex() == 2  # not undone
    press(qtbot, main, Qt.Key.Key_Up)
    assert main.lessons.position == START
    press(qtbot, main, Qt.Key.Key_Down)
    assert main.lessons.position == 0
    main.parts.lesson_panel.stepList.activated.emit(2)  # jumped to from the list
    assert main.lessons.position == 2
    assert main.parts.lesson_panel.stepTitle.text() == "Step 3 of 3: The end"
    assert main.actions_.pause.shortcut().toString() == "Space"  # Space stays Pause

    spin = main.corpus_panel.task_section.taskLengthSpin  # a text field keeps its keys
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=TIMEOUT)
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == 6 and main.lessons.position == 2
    main.parts.lesson_panel.closeButton.click()
    assert main.parts.lesson_panel.isHidden() and not main.lesson_menus.next_step.isEnabled()


def test_save_as_lesson_then_open_gives_the_same_lesson(
    qtbot, window, tmp_path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from rnnlab.app import create_main_window

    main = window
    original = write(tmp_path, EXAMPLE)
    open_lesson(qtbot, main, original)
    saved = tmp_path / "shared" / "copy.toml"
    saved.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(saved)[:-5], ""))
    main.lesson_menus.save_lesson.trigger()  # File > Save as lesson (".toml" is added)
    assert saved.exists()
    first, second = load_lesson(original), load_lesson(saved)
    assert (second.title, second.source, second.page, second.hidden_controls, second.steps) == (
        first.title,
        first.source,
        first.page,
        first.hidden_controls,
        first.steps,
    )
    shape = Task(TASKS["adding"], 5).model_shape()
    assert [run.name for run in second.runs] == ["vanilla RNN", "LSTM"]
    for mine, theirs in zip(first.runs, second.runs):
        assert mine.configs(shape, task=True) == theirs.configs(shape, task=True)
    assert "layers" not in second.runs[0].model  # a task's default is not written

    again = create_main_window([str(saved)], settings=main.settings)  # rnnlab copy.toml
    again.show()
    try:
        qtbot.waitUntil(lambda: len(again.runs.runs) == 2, timeout=TIMEOUT)
        assert again.lessons.lesson.steps == first.steps
        assert run_names(again) == ["vanilla RNN", "LSTM"]
        assert [run.model_config for run in again.runs.runs.values()] == [
            run.model_config for run in main.runs.runs.values()
        ]
    finally:
        again.close()
        again.deleteLater()
        QApplication.processEvents()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(write(tmp_path, PAGES_ONLY, "pages.toml")))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    # What Qt hands the window's drop handler when a file is let go over it (a synthetic drop
    # is not delivered outside a real drag).
    assert main.files.eventFilter(main, drop)
    qtbot.waitUntil(lambda: run_names(main) == ["one"], timeout=TIMEOUT)
    assert main.lessons.lesson.title == "Pages"


def test_customised_controls_hide_keep_their_values_and_persist(qtbot, window) -> None:
    main = window
    panel = main.model_panel
    panel.seedSpin.setValue(77)
    dialog = main.lesson_menus.customise_controls()  # View > Customise controls
    labels = [dialog.controlList.item(row).text() for row in range(dialog.controlList.count())]
    assert "Seed  (seedSpin)" in labels and "Model" in labels
    dialog.set_shown("seedSpin", False)
    dialog.accept()
    assert panel.seedSpin.isHidden()
    caption = [w for w in panel.findChildren(QLabel) if w.text() == "&Seed:"]
    assert caption and caption[0].isHidden()  # its label goes with it
    assert panel.train_config().seed == 77  # hidden, still in use
    assert main.settings.value("hiddenControls") in (["seedSpin"], "seedSpin")
    assert main.hidden_controls.names == ["seedSpin"]

    dialog = main.lesson_menus.customise_controls()
    dialog.show_all()
    dialog.accept()
    assert not panel.seedSpin.isHidden() and not caption[0].isHidden()


def test_black_screen_and_the_shortcut_sheet(qtbot, window) -> None:
    main = window
    black = main.lesson_menus.black_screen
    press(qtbot, main, Qt.Key.Key_B)
    assert black.isVisible() and black.geometry() == main.rect()
    qtbot.keyClick(black, Qt.Key.Key_Space)  # any key returns, and does nothing else
    assert not black.isVisible() and main.controller.state == "stopped"
    press(qtbot, main, Qt.Key.Key_B)
    qtbot.mouseClick(black, Qt.MouseButton.LeftButton)
    assert not black.isVisible()

    press(qtbot, main, Qt.Key.Key_F1)
    sheet = main.findChild(QDialog, "shortcutSheet")
    assert sheet is not None and sheet.isVisible()
    rows = sheet.rows()
    assert ("Training", "Train", "Ctrl+Return") in rows
    assert ("View", "Keyboard shortcuts", "F1, ?") in rows
    assert any(row[1] == "Next step" and row[2].startswith("PgDown") for row in rows)
    sheet.close()


def test_the_lessons_menu_opens_a_built_in_lesson(qtbot, window) -> None:
    from PySide6.QtWidgets import QMenu

    from rnnlab.core.builtin_lessons import builtin_lessons

    menu = window.findChild(QMenu, "lessonMenu")
    assert menu is not None and menu.title() == "Lessons"
    titles = [action.text() for action in menu.actions()]
    lessons = builtin_lessons()
    assert len(lessons) >= 8
    numbered = [f"{number}. {lesson.title}" for number, lesson in enumerate(lessons, 1)]
    assert numbered == titles[: len(lessons)]
    forgetting = window.findChild(QAction, "lesson_forgetting")
    forgetting.trigger()
    qtbot.waitUntil(lambda: isinstance(window.corpus, Task) and len(window.runs.runs) >= 2,
                    timeout=30_000)  # fmt: skip
    assert window.findChild(object, "lessonPanel").isVisibleTo(window)
