"""Doing a lesson step's actions in the window, in order: train, train N, race, pause, stop,
sample, page NAME and set OBJECTNAME VALUE.

Stopping takes a moment (the training thread finishes its step and ends), so the actions wait
in a queue: after ``stop``, the next action waits until the thread has ended, and ``race`` or
``train N`` while something trains first stops it ("stop", "set taskLengthSpin 50", "race"
works as it reads).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from PySide6.QtCore import QObject, Slot

from rnnlab.core.lesson import PAGES, Action
from rnnlab.gui.training.controller import RunSettings
from rnnlab.gui.widgets.control_values import control_setter

# ``window`` below is the MainWindow (typed Any: importing it here, even for type checking only,
# would make the window room's imports circular).
MainWindow = Any


class StepActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._queue: deque[tuple[Action, str]] = deque()  # each with its key, for messages
        self._stopping = False  # an action waits for the training thread to end
        window.controller.stateChanged.connect(self._on_state)

    @property
    def busy(self) -> bool:
        """Whether actions are still waiting to be done."""
        return bool(self._queue)

    def perform(self, actions: list[tuple[Action, str]]) -> None:
        """Do ``actions`` (each with its key in the lesson, ``steps[2].action[3]``) after any
        still waiting."""
        self._queue.extend(actions)
        self._go_on()

    def clear(self) -> None:
        self._queue.clear()
        self._stopping = False

    @Slot(str)
    def _on_state(self, _state: str) -> None:
        if self._stopping and not self._window.controller.running:
            self._stopping = False
            self._go_on()

    def _go_on(self) -> None:
        controller = self._window.controller
        while self._queue:
            if self._stopping:
                if controller.running:
                    return  # _on_state goes on once the thread has ended
                self._stopping = False
            action, key = self._queue[0]
            starts = action.kind == "race" or (action.kind == "train" and action.steps)
            if (starts or action.kind == "stop") and controller.running:
                self._stop()  # a new start needs the thread ended: it is stopped first
                if action.kind == "stop":
                    self._queue.popleft()
                continue
            self._queue.popleft()
            if not self._do(action, key):
                self._queue.clear()  # the rest would act on a state the author did not mean
                return

    def _stop(self) -> None:
        self._window.stop()
        self._stopping = True

    def _do(self, action: Action, key: str) -> bool:
        """Do one action; False (having said why) if it could not be done."""
        window = self._window
        kind = action.kind
        if kind == "set":
            return self._set(action, key)
        if kind == "page":
            window.center_tabs.setCurrentIndex(PAGES.index(action.page))
        elif kind == "pause":
            if window.controller.state == "running":
                window.controller.pause()
        elif kind == "stop":
            return True  # nothing was training
        elif kind == "sample":
            self._sample()
        elif kind == "race":
            return self._race(key)
        elif action.steps:
            return self._train_steps(action.steps, key)
        elif window.controller.state == "paused":
            window.controller.resume()
        elif not window.controller.running:
            window.train()
        return True

    def _set(self, action: Action, key: str) -> bool:
        widget = self._window.hidden_controls.find(action.object_name)
        try:
            if widget is None:
                raise ValueError(f"no control called {action.object_name!r} in the window")
            setter = control_setter(widget, action.value)
        except ValueError as error:
            self._window.show_error(f"{key}: {action.object_name}: {error}")
            return False
        setter()
        return True

    def _sample(self) -> None:
        window = self._window
        panel = window.sample_panel
        if not panel.isEnabled():
            window.statusBar().showMessage("sample: a task writes no text, so there is "
                                           "nothing to sample", 8000)  # fmt: skip
        elif not panel.is_sampling() and not panel.sample():
            window.statusBar().showMessage("sample: no run has weights yet: train first", 8000)

    def _data_ready(self, key: str) -> bool:
        window = self._window
        if window.corpus is None or window.loader.loading_corpus:
            window.show_error(f"{key}: the lesson's text is still loading: press Next again "
                              "once it is in")  # fmt: skip
            return False
        return True

    def _train_steps(self, steps: int, key: str) -> bool:
        """Train the current run ``steps`` more steps: the budget shows it while it trains."""
        if not self._data_ready(key):
            return False
        budget = self._window.training_bar.steps_budget
        before = budget.value()
        budget.setValue(steps)
        self._window.train()
        budget.setValue(before)  # read at the start: the next Train has its own budget again
        return True

    def _race(self, key: str) -> bool:
        """Every run trains, in turns, in the one training thread, under the bar's budget."""
        window = self._window
        if not self._data_ready(key):
            return False
        if not window.runs.runs:
            window.show_error(f"{key}: race: there are no runs to race")
            return False
        self._take_panel_settings()
        runs = {run.run: RunSettings(run.model_config, run.train_config)
                for run in window.runs.runs.values()}  # fmt: skip
        steps, seconds = window.training_bar.budget()
        window.run_views.budget = (steps, seconds)
        window.run_views.run_start_step = window.controller.step
        window.banner.hide()
        current = window.runs.get(window.runs.current)
        if current is not None:
            train = current.train_config
            window.grad_norm_plot.set_threshold(train.clip, train.clip_value)
        window.model_panel.set_training(True)
        window.training_bar.show_waiting("starting the race…")
        window.controller.start(window.corpus, runs, max_steps=steps, time_budget=seconds)
        return True

    def _take_panel_settings(self) -> None:
        """What a step set in the Model panel (a learning rate, a seed) goes to the current run,
        as Train would take it; a new shape only while the run has no weights to lose."""
        window = self._window
        run = window.runs.get(window.runs.current)
        configs = window.panel_configs()
        if run is None or configs is None:
            return
        model, train = configs
        if model == run.model_config or not window.controller.run_has_model(run.run):
            window.runs.set_configs(run.run, model, train)
