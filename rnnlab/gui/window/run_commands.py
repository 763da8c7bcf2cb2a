"""What the user does to runs: make one, select one, race cells, duplicate, delete, open a saved
run beside the others, and the questions asked before anything unsaved is dropped."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QMessageBox

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.tasks import Task, model_shape_of
from rnnlab.gui.panels.race_dialog import RaceChoice, RaceDialog
from rnnlab.gui.training.controller import RunSettings
from rnnlab.gui.training.loading import LoadedCheckpoint
from rnnlab.gui.window.data_sources import same_data
from rnnlab.gui.window.opened_runs import add_checkpoint_run, opened_settings
from rnnlab.gui.window.race_runs import plan_race, race_units
from rnnlab.gui.window.runs import Run

if TYPE_CHECKING:
    from rnnlab.core.checkpoint import Checkpoint

BUTTONS = QMessageBox.StandardButton


class RunCommands(QObject):
    def __init__(self, window: Any) -> None:
        """``window``: the MainWindow that owns this (typed Any: importing it here would make
        the window room's imports circular)."""
        super().__init__(window)
        self._window = window
        panel = window.parts.runs_panel
        panel.newRunClicked.connect(self.new_run)
        panel.raceClicked.connect(self.race)
        panel.duplicateClicked.connect(self.duplicate)
        panel.deleteClicked.connect(self.delete)
        panel.table.runSelected.connect(self.select)
        panel.table.visibilityChanged.connect(window.runs.set_visible)
        panel.table.renamed.connect(window.runs.rename)
        panel.table.runCommand.connect(self.command)

    # ---- making runs -----------------------------------------------------------------------

    @Slot()
    def new_run(self) -> Run | None:
        """A run from the Model panel's settings; it becomes current (Train starts it)."""
        configs = self._window.panel_configs()
        if configs is None:
            return None
        return self._add(*configs)

    def _add(self, model: ModelConfig, train: TrainConfig, name: str = "") -> Run:
        run = self._window.runs.add(model, train, name)
        self.select(run.run)
        return run

    def run_to_train(self, model: ModelConfig, train: TrainConfig) -> Run | None:
        """The run Train continues: the current one, a new one when there is none, or, when the
        panel's model shape differs from the current run's weights, a new one if the user
        agrees. Live settings (learning rate, clipping) go to the current run."""
        window = self._window
        run = window.runs.get(window.runs.current)
        if run is None:
            return self._add(model, train)
        if run.model_config != model or run.train_config.tokens != train.tokens:
            if not window.controller.run_has_model(run.run):
                window.runs.set_configs(run.run, model, train)  # no weights yet: just reshape
                return run
            answer = QMessageBox.question(
                window, "New run?",
                f"The model settings differ from {run.name}'s. Start a new run with them? "
                f"(No continues {run.name} as it is.)",
                BUTTONS.Yes | BUTTONS.No | BUTTONS.Cancel, BUTTONS.Yes,
            )  # fmt: skip
            if answer == BUTTONS.Cancel:
                return None
            if answer == BUTTONS.Yes:
                return self._add(model, train)
            train = dataclasses.replace(train, tokens=run.train_config.tokens)  # its weights'
            window.model_panel.set_configs(run.model_config, train)
        window.runs.set_configs(run.run, run.model_config, train)
        return run

    @Slot()
    def check_shape(self) -> None:
        """Settings edited while a run with weights is selected: say at once when they no longer
        fit its weights, and what Train will offer (a new run; the current one stays)."""
        window = self._window
        run = window.runs.get(window.runs.current)
        if run is None or window.corpus is None or not window.controller.run_has_model(run.run):
            return
        model = window.model_panel.model_config(model_shape_of(window.corpus))
        tokens = window.model_panel.tokens()
        if model is not None and (model != run.model_config or tokens != run.train_config.tokens):
            window.statusBar().showMessage(
                f"these settings change the model's shape: Train offers a new run "
                f"({run.name} keeps its weights; New run starts one now)", 10000)  # fmt: skip

    @Slot()
    def race(self) -> None:
        window = self._window
        configs = window.panel_configs()
        if configs is None or window.corpus is None:
            return
        model, train = configs
        dialog = RaceDialog(model.hidden_size, model.layers, train.seed, window,
                            race_units(train, window.corpus))  # fmt: skip
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start_race(dialog.choice())

    def start_race(self, choice: RaceChoice) -> list[int]:
        """New runs, one per chosen cell in each chosen unit, trained in turns from the same
        seed; their ids."""
        window = self._window
        configs = window.panel_configs()
        if configs is None or window.corpus is None:
            return []
        if window.controller.running:
            window.show_error("stop training before starting a race")
            return []
        model, train = configs
        train = dataclasses.replace(train, seed=choice.seed)
        planned = plan_race(window, choice, model, train)
        if planned is None:
            return []
        runs: dict[int, RunSettings] = {}
        for config, run_train, name in planned:
            run = window.runs.add(config, run_train, name)
            runs[run.run] = RunSettings(config, run_train)
        self.select(next(iter(runs)))
        window.run_views.budget = (choice.steps, choice.seconds)
        window.run_views.run_start_step = 0
        window.model_panel.set_training(True)
        window.training_bar.show_waiting("starting the race…")
        window.controller.start(
            window.corpus, runs, max_steps=choice.steps, time_budget=choice.seconds
        )
        return list(runs)

    @Slot()
    def duplicate(self) -> None:
        """A copy of the selected run. With weights, a branch: the copy starts where the run
        stands (weights, optimiser, history), so "clipping on" and "off" can go on from the
        same point. Without, a new run with its settings."""
        window = self._window
        record = window.runs.get(window.runs.current)
        if record is None or window.corpus is None:
            return
        controller, name = window.controller, f"{record.name} (copy)"
        if controller.is_training(record.run):
            # A paused run is still the training thread's: only a stopped one can be copied.
            window.show_error(f"{record.name} is training or paused: stop it to copy it")
            return
        if not controller.run_has_model(record.run):
            self._add(record.model_config, record.train_config, name)
            return
        from rnnlab.core.checkpoint import load_checkpoint

        with tempfile.TemporaryDirectory() as folder:  # through a checkpoint: an exact copy
            path = str(Path(folder) / "copy.pt")
            if not controller.save_idle(record.run, path, window.corpus):
                return
            checkpoint = load_checkpoint(path)
        self._add_checkpoint(checkpoint, window.corpus, name, record.model_config,
                             record.train_config)  # fmt: skip

    def add_opened(self, loaded: LoadedCheckpoint) -> int:
        """An opened checkpoint as a run beside the others; its curves so far are drawn."""
        model, train = opened_settings(self._window, loaded)
        checkpoint = loaded.checkpoint
        return self._add_checkpoint(checkpoint, loaded.corpus, checkpoint.path.stem, model, train)

    def _add_checkpoint(self, checkpoint: Checkpoint, corpus: Corpus | Task, name: str,
                        model: ModelConfig, train: TrainConfig) -> int:  # fmt: skip
        run = add_checkpoint_run(self._window, checkpoint, corpus, name, model, train)
        self.select(run)
        return run

    @Slot(LoadedCheckpoint)
    def open_loaded(self, loaded: LoadedCheckpoint) -> None:
        """An opened checkpoint becomes a run beside the others (another text replaces them,
        once the user agrees)."""
        window = self._window
        checkpoint = loaded.checkpoint
        same = same_data(loaded.corpus, window.corpus)
        if window.controller.running and not same:  # its data would replace the runs'
            window.show_error(f"training is running: stop it, then open {checkpoint.path} again")
            return
        if not self.confirm_drop_runs(loaded.corpus.source, loaded.corpus):
            return
        window._cancel_pending()  # the opened model is what the next Train continues
        if not same:  # a task run opened at another T goes on at the window's T
            window.show_source(loaded.corpus)
        run = self.add_opened(loaded)  # a run beside the others, now current
        window.files.model_path = str(checkpoint.path)  # Save writes back to it
        if loaded.snapshot is not None:
            window._on_snapshot(loaded.snapshot, checkpoint.step, run)
        window._on_state(window.controller.state)  # other runs may be training
        window.statusBar().showMessage(f"opened {checkpoint.path} at step {checkpoint.step:,}",
                                       5000)  # fmt: skip

    def runs_with_weights(self) -> dict[int, str]:
        return {run.run: run.name for run in self._window.runs.runs.values()
                if self._window.controller.run_has_model(run.run)}  # fmt: skip

    @Slot()
    def save_all(self, folder: str | None = None) -> list[str]:
        """Every run with weights into one folder, one checkpoint each (File > Save all runs)."""
        runs = self.runs_with_weights()
        if not runs:
            self._window.show_error("no run has weights yet: train one first")
            return []
        return self._window.files.save_all_runs(runs, folder)

    @Slot(int, str)
    def command(self, run: int, command: str) -> None:
        """One run's pause, resume, step or stop (the training bar's act on every run)."""
        window, controller = self._window, self._window.controller
        record = window.runs.get(run)
        if record is None or window.corpus is None:
            return
        if controller.is_training(run):
            {"pause": controller.pause, "resume": controller.resume,
             "step": controller.step_once, "stop": controller.stop}[command](run)  # fmt: skip
            return
        if command in ("resume", "step"):  # not in the training thread: it joins it
            settings = RunSettings(record.model_config, record.train_config)
            controller.start(window.corpus, {run: settings}, start_paused=command == "step")
            if command == "step":
                controller.step_once(run)
            window._on_state(controller.state)

    # ---- selecting and deleting ---------------------------------------------------------------

    @Slot(int)
    def select(self, run: int) -> None:
        window = self._window
        record = window.runs.get(run)
        if record is None:
            return
        changed = window.runs.current != run
        window.runs.make_current(run)
        if not changed:
            return
        window.run_views.clear()
        window.run_inspections.show_current()  # what is kept of it, until its next probe
        window.run_views.show_step(record.step)
        window.model_panel.set_configs(record.model_config, record.train_config)
        window.grad_norm_plot.set_threshold(
            record.train_config.clip, record.train_config.clip_value
        )
        window.controller.follow(run)
        window._on_state(window.controller.state)

    @Slot()
    def delete(self) -> None:
        window = self._window
        run = window.runs.get(window.runs.current)
        if run is None:
            return
        if window.controller.is_training(run.run):
            window.show_error(f"{run.name} is training: stop it first")
            return
        if run.run in window.controller.dirty_runs:
            answer = QMessageBox.question(
                window, "Delete run", f"{run.name} is not saved. Delete it anyway?",
                BUTTONS.Yes | BUTTONS.No, BUTTONS.No,
            )  # fmt: skip
            if answer != BUTTONS.Yes:
                return
        window.controller.reset(run.run)
        window.runs.remove(run.run)
        remaining = list(window.runs.runs)
        if remaining:
            self.select(remaining[-1])
        else:
            window.run_views.clear()

    def confirm_drop_runs(self, source: str, corpus: Corpus | Task | None = None, *,
                          rereading: bool = False) -> bool:  # fmt: skip
        """Before other data replaces this: runs with weights belong to their text or task.
        ``rereading``: the same file read again (in another encoding) is other data too."""
        window = self._window
        current = window.corpus
        same_file = current is not None and source == current.source and not rereading
        if current is None or same_file or same_data(corpus, current):
            return True
        with_weights = [run for run in window.runs.runs.values()
                        if window.controller.run_has_model(run.run)]  # fmt: skip
        if not with_weights:
            return True
        unsaved = sum(run.run in window.controller.dirty_runs for run in with_weights)
        return self.ask_to_drop(
            f"The {len(with_weights)} run(s) with weights belong to {current.name} and cannot "
            "continue on other data", unsaved,
        )  # fmt: skip

    def ask_to_drop(self, why: str, unsaved: int) -> bool:
        """Ask before runs with weights go (why they must, how many are unsaved); True: yes."""
        answer = QMessageBox.question(
            self._window, "Drop the runs?", f"{why}; {unsaved} of them not saved. Drop them?",
            BUTTONS.Yes | BUTTONS.No, BUTTONS.No,
        )  # fmt: skip
        return answer == BUTTONS.Yes
