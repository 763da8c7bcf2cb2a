"""File > Save as lesson: the window as it stands, as a lesson a teacher can adjust and share.

It writes the data (a corpus, or a task with its distance T), each run's name and the settings
that differ from the defaults (a task's defaults on a task), the page shown, the hidden controls
and the open lesson's steps. The device and threads are left out: they belong to the machine,
and a lesson opened elsewhere takes that machine's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.errors import LessonError
from rnnlab.core.lesson import PAGES, Lesson, LessonRun
from rnnlab.core.lesson_settings import DATA_DECIDED
from rnnlab.core.lesson_writer import save_lesson
from rnnlab.core.tasks import Task

# ``window`` below is the MainWindow (typed Any: importing it here, even for type checking only,
# would make the window room's imports circular).
MainWindow = Any
LESSON_FILTER = "rnnlab lessons (*.toml);;All files (*)"
MACHINE_SETTINGS = ("device", "threads")


def differing(config: ModelConfig | TrainConfig, default: ModelConfig | TrainConfig,
              left_out: tuple[str, ...]) -> dict[str, Any]:  # fmt: skip
    """The settings of ``config`` that are not ``default``'s, but those ``left_out``."""
    base = default.to_dict()
    return {key: value for key, value in config.to_dict().items()
            if key not in left_out and value != base[key]}  # fmt: skip


def window_lesson(window: MainWindow, open_lesson: Lesson | None) -> Lesson | None:
    """The lesson the window stands for; None (having said why) before any data."""
    data = window.corpus
    if data is None:
        window.show_error("save as lesson: load a corpus or choose a task first")
        return None
    task = isinstance(data, Task)
    shape = window.corpus_shape()
    default_model, default_train = LessonRun("defaults").configs(shape, task=task)
    records = [(run.name, *_settings(window, run)) for run in window.runs.runs.values()]
    if not records:  # a lesson has at least one run: the Model panel's settings make it
        configs = window.model_panel.model_config(shape), window.model_panel.train_config()
        if None in configs:
            return None
        records = [("run 1", *configs)]
    runs, names = [], set()
    for name, model, train in records:
        name = name.strip() or "run"  # a run renamed to nothing still needs a name here
        unique, number = name, 2
        while unique in names:  # a lesson tells its runs by name
            unique, number = f"{name} ({number})", number + 1
        names.add(unique)
        runs.append(LessonRun(unique, differing(model, default_model, DATA_DECIDED),
                              differing(train, default_train, MACHINE_SETTINGS)))  # fmt: skip
    source: Task | str = data
    if isinstance(data, Corpus):
        source = data.source  # a bundled name, or the file's absolute path
    title = open_lesson.title if open_lesson is not None else f"Runs on {data.name}"
    steps = open_lesson.steps if open_lesson is not None else ()
    page = PAGES[max(window.center_tabs.currentIndex(), 0)]
    return Lesson(title, source, page, tuple(window.hidden_controls.names), tuple(runs), steps)


def _settings(window: MainWindow, run: Any) -> tuple[ModelConfig, TrainConfig]:
    """A run's settings; the current run's as the Model panel shows them, as Train would
    take them (a new shape only while the run has no weights it would not fit)."""
    if run.run == window.runs.current:
        shown = window.model_panel.model_config(window.corpus_shape())
        train = window.model_panel.train_config()
        fits = shown == run.model_config or not window.controller.run_has_model(run.run)
        if shown is not None and train is not None and fits:
            return shown, train
    return run.model_config, run.train_config


def save_window_lesson(window: MainWindow, open_lesson: Lesson | None,
                       path: str | None = None) -> str | None:  # fmt: skip
    """Ask where (unless ``path`` is given) and write the window's lesson; the path written."""
    lesson = window_lesson(window, open_lesson)
    if lesson is None:
        return None
    if path is None:
        if open_lesson is not None and open_lesson.path is not None:
            suggestion = str(open_lesson.path)
        else:
            data = window.corpus
            stem = data.file_stem if isinstance(data, Task) else Path(data.name).stem
            suggestion = f"{stem}-lesson.toml"
        path, _ = QFileDialog.getSaveFileName(window, "Save as lesson", suggestion, LESSON_FILTER)
        if not path:
            return None
        if not path.lower().endswith(".toml"):
            path += ".toml"
    try:
        written = save_lesson(lesson, path)
    except LessonError as error:
        window.show_error(str(error))
        return None
    window.files.remember_recent(str(written.absolute()))
    window.statusBar().showMessage(f"saved the lesson {written}", 5000)
    return str(written)
