"""What the window trains on, shown everywhere it matters: a corpus or a synthetic task.

A new kind of data (or another text) replaces the runs, which belong to their data; the panels,
plots and inspector learn what the data is. A task's length T changes without this (see
``task_choice``): runs keep their weights across T.
"""

from __future__ import annotations

from typing import Any

from rnnlab.core.corpus import Corpus, split_sizes
from rnnlab.core.tasks import Task
from rnnlab.gui.window.layout import VALIDATION_FRACTION

# ``window`` below is the MainWindow (typed Any: importing it here, even for type checking only,
# would make the window room's imports circular).
MainWindow = Any


def same_data(first: Corpus | Task | None, second: Corpus | Task | None) -> bool:
    """Whether runs of one can go on with the other: the same text, or the same task at any T."""
    if first is None or second is None:
        return False
    if isinstance(first, Task) and isinstance(second, Task):
        return first.spec == second.spec
    return first.fingerprint == second.fingerprint


def show_source(window: MainWindow, source: Corpus | Task) -> None:
    """Make ``source`` the window's data; other data's runs are dropped (asked before)."""
    window.corpus_panel.set_busy(False)
    window.corpus_panel.clear_error()
    current = window.corpus
    if current is not None and not same_data(source, current):
        window.controller.reset()  # a model belongs to its data
        window.runs.clear()
        window.clear_run_views()
    window.corpus = source
    if isinstance(source, Task):
        _show_task(window, source)
    else:
        _show_corpus(window, source)
    window.settings.setValue("corpus", source.source)


def _show_corpus(window: MainWindow, corpus: Corpus) -> None:
    window.task_choice.leave()
    train_chars, validation_chars, window.training_lines = split_sizes(
        corpus, VALIDATION_FRACTION
    )
    window.corpus_panel.show_corpus(corpus, train_chars, validation_chars)
    window.model_panel.set_task_mode(False)
    _count_answers(window, False)
    window.model_panel.set_vocabulary_size(len(corpus.vocabulary))
    window.token_units.set_corpus(corpus)
    window.loss_plot.set_text()
    window.loss_plot.set_vocabulary_size(len(corpus.vocabulary))
    window.inspector.set_corpus(corpus)
    window.sample_panel.setEnabled(True)
    window.parts.surprise_panel.set_on_task(False)
    window.setWindowTitle(f"rnnlab — {corpus.name}")
    if not corpus.bundled:
        window.files.remember_recent(corpus.source)
    window.baselines.show_corpus(corpus)


def _show_task(window: MainWindow, task: Task) -> None:
    spec = task.spec
    window.training_lines = frozenset()
    window.token_units.set_corpus(None)
    show_task_length(window, task)
    window.model_panel.set_task_mode(True, task.model_shape())
    _count_answers(window, True)
    window.loss_plot.set_task(spec.loss, spec.chance, bool(spec.classes), spec.blind_answer)
    # Sampling writes text: a task run answers its questions instead (the inspector shows how).
    window.sample_panel.setEnabled(False)
    window.sample_panel.setToolTip("Sampling writes text: on a task, the inspector shows the "
                                   "model's answers instead.")  # fmt: skip
    window.parts.surprise_panel.set_on_task(True)
    window.baselines.show_task(task)


def show_task_length(window: MainWindow, task: Task) -> None:
    """What names the task's T: the panel, the inspector's sequence, the title, the settings
    (the next session opens at this T). A new task or only a new T both come through here."""
    window.corpus_panel.show_task(task)
    window.inspector.set_task(task)
    window.setWindowTitle(f"rnnlab — {task.name}")
    window.settings.setValue("taskLength", task.length)


def _count_answers(window: MainWindow, on: bool) -> None:
    """On a task runs count sequences answered, not characters: the table and x axes say so."""
    window.parts.runs_panel.table.set_task_mode(on)
    window.run_views.speed_unit = "answers/s" if on else "chars/s"
    window.parts.x_axis_control.set_counting_answers(on)
    for plot in (window.loss_plot, window.grad_norm_plot):
        plot.set_counting_answers(on)
