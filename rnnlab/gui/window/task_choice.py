"""Tasks in the window: choosing a synthetic task in place of a corpus, and its distance T.

A task is a second kind of data (``rnnlab.core.tasks``): runs train on its sequences, the loss
plot shows the task's own loss and its chance line, the inspector probes one of its sequences,
and the text-only parts (sampling, n-gram baselines) step aside. Changing T keeps every run and
its weights: they go on at the new T, marked on their curves ("now make it harder").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.tasks import (
    DEFAULT_LENGTH,
    TASK_MODEL_DEFAULTS,
    TASK_TRAIN_DEFAULTS,
    Task,
    find_task,
)
from rnnlab.gui.panels.task_section import SLIDER_RANGE
from rnnlab.gui.window.data_sources import show_task_length

# ``window`` below is the MainWindow (typed Any: importing it here, even for type checking only,
# would make the window room's imports circular).
MainWindow = Any


class TaskChoice:
    """Opens tasks for the window and follows the distance slider."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        # The panel's text settings while a task is shown, given back when a text returns.
        self._text_configs: tuple[ModelConfig | None, TrainConfig | None] | None = None
        section = window.corpus_panel.task_section
        section.lengthChanged.connect(self.change_length)
        try:  # the T of the last session: the lesson goes on where it was
            remembered = int(window.settings.value("taskLength", DEFAULT_LENGTH))
        except (TypeError, ValueError):
            remembered = DEFAULT_LENGTH
        section.set_length(min(max(remembered, SLIDER_RANGE[0]), SLIDER_RANGE[1]))

    @property
    def task(self) -> Task | None:
        source = self._window.corpus
        return source if isinstance(source, Task) else None

    def open(self, name: str) -> None:
        """Switch the window to the task ``name`` at the slider's T."""
        window = self._window
        try:
            task = find_task(name, window.corpus_panel.task_section.length())
        except ValueError as error:  # ConfigError: a task name from an old settings file
            window.corpus_panel.show_error(str(error))
            return
        if self.task is not None and self.task.spec == task.spec:
            self.change_length(task.length)
            return
        if not window.run_commands.confirm_drop_runs(task.spec.name):
            return
        self._take_task_defaults(task)
        window.show_source(task)

    def leave(self) -> None:
        """A text is shown again: the panel gets back the settings it had for text."""
        if self._text_configs is None:
            return
        model, train = self._text_configs
        self._text_configs = None
        if model is not None and train is not None:
            self._window.model_panel.set_configs(model, train)

    @Slot(int)
    def change_length(self, length: int) -> None:
        """Runs go on at distance ``length``: new sequences, the same weights."""
        window, task = self._window, self.task
        if task is None or length == task.length:
            return
        harder = Task(task.spec, length)
        window.corpus = harder
        window.controller.switch_task_length(harder)
        show_task_length(window, harder)
        kept = " and go on at the new T" if window.run_commands.runs_with_weights() else ""
        window.statusBar().showMessage(
            f"T = {length}: new sequences; runs keep their weights{kept}", 8000
        )

    def _take_task_defaults(self, task: Task) -> None:
        """Settings that learn a task in seconds (a 2 x 256 model for prose does not), keeping
        the panel's cell; the text settings come back with a text."""
        panel = self._window.model_panel
        if self._text_configs is None:
            shape = self._window.corpus_shape()
            self._text_configs = (
                panel.model_config(shape) if shape is not None else None, panel.train_config()
            )
        current = panel.model_config(task.model_shape())
        cell = current.cell if current is not None else "lstm"
        model = ModelConfig(**task.model_shape(), **TASK_MODEL_DEFAULTS, cell=cell)
        train = TrainConfig(**TASK_TRAIN_DEFAULTS)
        current_train = panel.train_config()
        if current_train is not None:  # the machine's choices stay
            train = TrainConfig(**{**train.to_dict(), "device": current_train.device,
                                   "threads": current_train.threads})  # fmt: skip
        panel.set_configs(model, train)
        self._window.statusBar().showMessage(
            "task settings: 1 x 64, batch 32, Adam 2e-3, gradient clipped at norm 1 "
            "(change them freely)", 8000,
        )  # fmt: skip
