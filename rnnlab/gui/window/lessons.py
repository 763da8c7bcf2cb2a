"""Lessons in the window: open one (checked against the window whole before anything changes),
set up its data, runs, page and hidden controls, and walk the class through its steps.

A lesson file (``rnnlab.core.lesson``) is data only. What it names that only the window knows
(controls by object name, the values they are set to, the distance T the slider offers) is
checked here first: a mistake is one message naming the key, and nothing is applied.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from rnnlab.core.corpus import Corpus, bundled_names
from rnnlab.core.errors import ConfigError, LessonError
from rnnlab.core.lesson import PAGES, Action, Lesson, LessonRun, load_lesson
from rnnlab.core.tasks import SOURCE_PREFIX, Task
from rnnlab.gui.panels.lesson_panel import START
from rnnlab.gui.panels.task_section import SLIDER_RANGE
from rnnlab.gui.widgets.control_values import control_setter, is_text_field
from rnnlab.gui.window.lesson_steps import StepActions

# ``window`` below is the MainWindow (typed Any: importing it here, even for type checking only,
# would make the window room's imports circular).
MainWindow = Any
LESSON_SUFFIX = ".toml"
NEXT_KEYS = (Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Down)  # as clickers send
BACK_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_Left, Qt.Key.Key_Up)


def is_lesson_path(path: str) -> bool:
    """A .toml file is a lesson, never a text to train on."""
    return path.lower().endswith(LESSON_SUFFIX) and not path.startswith(SOURCE_PREFIX)


def action_keys(lesson: Lesson, display: str) -> list[list[tuple[Action, str]]]:
    """Each step's actions with their keys as the file writes them: ``steps[2].action[3]``
    (``steps[2].action`` for a step with one)."""
    keyed = []
    for number, step in enumerate(lesson.steps, 1):
        single = len(step.actions) == 1
        keyed.append([(action, f"{display}: steps[{number}].action" + ("" if single else
                       f"[{index}]")) for index, action in enumerate(step.actions, 1)])  # fmt: skip
    return keyed


class Lessons(QObject):
    """The open lesson (if any), where the class is in it, and the window's part of opening."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.lesson: Lesson | None = None
        self.position = START
        self._display = ""  # the file as the user gave it, for messages
        self._keyed: list[list[tuple[Action, str]]] = []
        self._runs_waiting: str | None = None  # the text the lesson's runs wait for
        self.actions = StepActions(window)
        panel = self.panel = window.parts.lesson_panel
        panel.nextClicked.connect(self.next)
        panel.backClicked.connect(self.back)
        panel.stepChosen.connect(self.jump)
        panel.closeClicked.connect(self.close)
        window.loader.corpusLoaded.connect(self._on_corpus_loaded)  # after the window's slot
        window.loader.corpusFailed.connect(self._on_corpus_failed)
        window.installEventFilter(self)  # Next and Back keys leave text fields alone

    # ---- opening -----------------------------------------------------------------------------

    def open(self, path: str) -> bool:
        """Open the lesson at ``path``; False (having said why) if nothing was changed."""
        window = self._window
        if window.loader.loading_corpus:  # it would replace the lesson's data once it is in
            window.show_error(f"a text is loading: open {path} again once it is in")
            return False
        try:
            lesson = load_lesson(path)
        except LessonError as error:
            window.show_error(f"the lesson was not opened: {error}")
            return False
        problem = self.problem(lesson, path)
        if problem is not None:
            window.show_error(f"the lesson was not opened: {problem}")
            return False
        if not self._drop_runs(lesson):
            return False
        self._apply(lesson, path)
        return True

    def problem(self, lesson: Lesson, display: str) -> str | None:
        """What in ``lesson`` this window cannot do, as one message naming its key; None if
        all is well. Nothing is changed either way."""
        source = lesson.source
        if isinstance(source, Task) and not SLIDER_RANGE[0] <= source.length <= SLIDER_RANGE[1]:
            return (f"{display}: task.length: the window's distance T goes from "
                    f"{SLIDER_RANGE[0]} to {SLIDER_RANGE[1]}, got {source.length}")  # fmt: skip
        if isinstance(source, str) and source not in bundled_names():
            if is_lesson_path(source):  # it would open as a lesson, maybe this very one
                return f"{display}: corpus: {source} is a lesson, not a text to train on"
            if not Path(source).is_file():
                return f"{display}: corpus: no such file: {source}"
        for index, name in enumerate(lesson.hidden_controls, 1):
            if self._window.hidden_controls.find(name) is None:
                return f"{display}: hidden_controls[{index}]: {self._unknown(name)}"
        for actions in action_keys(lesson, display):
            for action, key in actions:
                if action.kind != "set":
                    continue
                widget = self._window.hidden_controls.find(action.object_name)
                if widget is None:
                    return f"{key}: {self._unknown(action.object_name)}"
                try:
                    control_setter(widget, action.value)
                except ValueError as error:
                    return f"{key}: {action.object_name}: {error}"
        return None

    def _unknown(self, name: str) -> str:
        known = {widget.objectName() for widget in self._window.findChildren(QWidget)}
        # Qt's own parts ("qt_spinbox_lineedit") are no controls a lesson means.
        choices = sorted(other for other in known if other and not other.startswith("qt_"))
        close = difflib.get_close_matches(name, choices, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return f"no control called {name!r} in the window{hint}"

    def _drop_runs(self, lesson: Lesson) -> bool:
        """The lesson brings its own runs: the current ones go, once the user agrees to lose
        any with weights."""
        window = self._window
        with_weights = window.run_commands.runs_with_weights()
        if with_weights or window.controller.running:
            unsaved = sum(run in window.controller.dirty_runs for run in with_weights)
            why = (f"The lesson {lesson.title!r} brings its own runs: the {len(with_weights)} "
                   "run(s) with weights go")  # fmt: skip
            if not window.run_commands.ask_to_drop(why, unsaved):
                return False
        self.close()
        window._cancel_pending()
        window.controller.reset()  # stops training first
        window.runs.clear()
        window.clear_run_views()
        return True

    def _apply(self, lesson: Lesson, display: str) -> None:
        window = self._window
        self.lesson, self._display = lesson, display
        self._keyed = action_keys(lesson, display)
        window.hidden_controls.set_hidden(lesson.hidden_controls)
        source = lesson.source
        if isinstance(source, Task):
            window.corpus_panel.task_section.set_length(source.length)
            window.task_choice.open(source.spec.name)  # at the slider's T, now the lesson's
            self._add_runs()
        elif isinstance(window.corpus, Corpus) and window.corpus.source == source \
                and not window.loader.loading_corpus:  # fmt: skip
            self._add_runs()
        else:
            self._runs_waiting = source
            window.open_corpus(source)
        window.center_tabs.setCurrentIndex(PAGES.index(lesson.page))
        self.panel.show_lesson(lesson.title, [step.title for step in lesson.steps])
        self._show(START)
        self.panel.show()
        window.lesson_menus.set_lesson_open(True)
        window.actions_.keep_samples(self._samples(lesson))
        window.files.remember_recent(str(lesson.path or display))
        window.statusBar().showMessage(f"opened the lesson {lesson.title!r}", 5000)

    def _samples(self, lesson: Lesson) -> bool:
        """Whether a step samples or sets a control of the Sample panel: then its samples are
        part of the lesson, and Focus keeps the panel."""
        panel = self._window.sample_panel
        for step in lesson.steps:
            for action in step.actions:
                if action.kind == "sample":
                    return True
                widget = self._window.hidden_controls.find(action.object_name) \
                    if action.kind == "set" else None  # fmt: skip
                if widget is not None and panel.isAncestorOf(widget):
                    return True
        return False

    def _add_runs(self) -> None:
        """The lesson's runs over the data's shape, in the runs table; the first is current."""
        window, lesson = self._window, self.lesson
        self._runs_waiting = None
        if lesson is None or window.corpus is None:
            return
        shape, task = window.corpus_shape(), isinstance(window.corpus, Task)
        machine = window.model_panel.train_config()  # the device and threads are this machine's
        made = []
        for run in lesson.runs:
            given = dict(run.train)
            if machine is not None:
                given.setdefault("device", machine.device)
                given.setdefault("threads", machine.threads)
            try:
                model, train = LessonRun(run.name, run.model, given).configs(shape, task=task)
            except ConfigError as error:  # the real vocabulary can still disagree
                window.show_error(f"{self._display}: runs: {run.name}: {error}")
                continue
            made.append(window.runs.add(model, train, run.name).run)
        if made:
            window.run_commands.select(made[0])

    @Slot(Corpus)
    def _on_corpus_loaded(self, corpus: Corpus) -> None:
        if self._runs_waiting is not None and corpus.source == self._runs_waiting:
            self._add_runs()

    @Slot(str)
    def _on_corpus_failed(self, _message: str) -> None:
        self._runs_waiting = None  # the window has said why; the lesson stays, without runs

    # ---- steps -------------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.lesson is not None

    def _show(self, index: int) -> None:
        lesson = self.lesson
        if lesson is None:
            return
        self.position = index
        if index == START:
            first = lesson.steps[0].title if lesson.steps else ""
            self.panel.show_step(START, first)
        else:
            step = lesson.steps[index]
            self.panel.show_step(index, step.title, step.text)

    @Slot()
    def next(self) -> None:
        """The next step: shown, and its actions done."""
        if self.lesson is not None and self.position < len(self.lesson.steps) - 1:
            self.jump(self.position + 1)

    @Slot()
    def back(self) -> None:
        """The previous step, shown; what was done stays done."""
        if self.lesson is not None and self.position > START:
            self._show(self.position - 1)

    @Slot(int)
    def jump(self, index: int) -> None:
        """Step ``index`` (from 0), as Next arrives at it: shown, and its actions done."""
        if self.lesson is None or not 0 <= index < len(self.lesson.steps):
            return
        self._show(index)
        self.actions.perform(self._keyed[index])

    @Slot()
    def close(self) -> None:
        """The strip goes; the runs, data and hidden controls stay as the lesson left them."""
        self.actions.clear()
        self.lesson, self.position, self._keyed = None, START, []
        self._runs_waiting = None
        self.panel.hide()
        self._window.lesson_menus.set_lesson_open(False)
        self._window.actions_.keep_samples(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A key no widget took reaches the window as a shortcut override. Those of Next and Back
        # are taken back for a text field with the focus (its cursor and value move), so the
        # lesson's shortcuts act everywhere else.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() in NEXT_KEYS + BACK_KEYS \
                and is_text_field(QApplication.focusWidget()):  # fmt: skip
            event.accept()
            return True
        return super().eventFilter(watched, event)
