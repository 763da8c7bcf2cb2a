"""The training controller: the window's runs, one worker thread at a time, and what it needs of it.

A run is a number the window chooses; the controller keeps each run's trainer (or the
checkpoint it was opened from) while no thread trains it, hands the runs to train to one
``TrainingWorker`` (several of them take turns there, never in threads of their own), re-emits
the worker's signals (``TrainingSignals``: the window connects once, here), asks for weight
snapshots for sampling, and knows which runs changed since they were last saved.

Between sessions (after Stop, or a finished budget) the trainers are kept: Train continues a run
exactly. Reset drops a run's trainer; its next Train starts from fresh weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, QTimer, Slot

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.tasks import Task
from rnnlab.core.vocabulary import Vocabulary
from rnnlab.gui.training.idle_runs import IdleRuns
from rnnlab.gui.training.messages import TrainingUpdate
from rnnlab.gui.training.requests import (
    AddRun,
    Follow,
    Pause,
    ProbeNow,
    Request,
    Resume,
    SaveCheckpoint,
    SetClipping,
    SetLearningRate,
    SetProbe,
    SnapshotSteps,
    StepOnce,
    Stop,
    StopRun,
    SwitchTaskLength,
    TakeSnapshot,
)
from rnnlab.gui.training.signals import FORWARDED
from rnnlab.gui.training.worker import TrainingWorker

SNAPSHOT_SECONDS = 2.0  # how often sampling gets fresh weights while training


@dataclass(frozen=True)
class RunSettings:
    """What a run is built from when it has no weights yet (or continues with, if it has)."""

    model_config: ModelConfig
    train_config: TrainConfig


class TrainingController(IdleRuns):
    """The window's one handle on training; its signals are the worker's, in the window's thread.

    ``stateChanged`` also says "stopped" once the thread has ended, and ``runInspected`` (and,
    for the followed run, ``inspected``) also carries probes of idle runs (made in a pool thread
    while nothing trains them).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._in_worker: set[int] = set()  # runs handed to the running worker
        self.state = "stopped"
        self.dirty_runs: set[int] = set()  # trained since their last save
        self.steps: dict[int, int] = {}  # each run's latest step
        self._snapshot_timer = QTimer(self)
        self._snapshot_timer.setInterval(int(SNAPSHOT_SECONDS * 1000))
        self._snapshot_timer.timeout.connect(self.request_snapshot)
        self._snapshot_steps: frozenset[int] = frozenset()  # see snapshot_at_steps

    # ---- state -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def dirty(self) -> bool:
        return bool(self.dirty_runs)

    @dirty.setter
    def dirty(self, value: bool) -> None:  # benchmarks and tools mark everything saved
        if not value:
            self.dirty_runs.clear()

    @property
    def step(self) -> int:
        """The followed run's latest step."""
        return self.steps.get(self.current, 0)

    def run_has_model(self, run: int) -> bool:
        return run in self._in_worker or self.idle_has_model(run)

    @property
    def has_model(self) -> bool:
        return self.run_has_model(self.current)

    def is_training(self, run: int) -> bool:
        return run in self._in_worker

    # ---- commands ----------------------------------------------------------------------------

    def start(
        self,
        corpus: Corpus | Task,
        runs: dict[int, RunSettings],
        *,
        max_steps: int | None = None,
        time_budget: float | None = None,
        start_paused: bool = False,
    ) -> None:
        """Train ``runs`` (continuing those with weights) in turns; runs given while a worker
        runs join it."""
        # Settings edited while a run was stopped apply as live changes, recorded and marked:
        # served once the run is built, so the change reaches the plots like any other.
        changes: list[Request] = [
            request
            for run, settings in runs.items()
            for request in self.live_changes(run, settings.train_config)
        ]
        if isinstance(corpus, Task):  # runs kept or opened at another T go on at this one
            changes.append(SwitchTaskLength(corpus))
        builds = {
            run: self.builder(run, corpus, settings.model_config, settings.train_config)
            for run, settings in runs.items()
        }
        if self._worker is not None:
            for run, build in builds.items():
                self._worker.submit(AddRun(run, build))
                self._worker.submit(Pause(run) if start_paused else Resume(run))
                self._in_worker.add(run)
            for request in changes:
                self._worker.submit(request)
            return
        worker = TrainingWorker(
            runs=builds, max_steps=max_steps, time_budget=time_budget, start_paused=start_paused
        )
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # The controller's own bookkeeping first: queued in connection order, it has run by the
        # time the window hears the same signal re-emitted below.
        worker.updated.connect(self._on_updated)
        worker.stateChanged.connect(self._on_state)
        worker.saved.connect(self._on_saved)
        for name in FORWARDED:
            getattr(worker, name).connect(getattr(self, name))
        worker.submit(Follow(self.current))
        worker.submit(SnapshotSteps(self._snapshot_steps))
        for request in changes:
            worker.submit(request)
        if self._probe is not None:
            worker.submit(self._probe)  # served first: the views show the starting weights
        # quit() straight from the worker thread: the thread's event loop then ends even while
        # the GUI thread is blocked in wait() (on close) and cannot deliver queued signals.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.finished.connect(self._on_finished)
        self._thread, self._worker = thread, worker
        self._in_worker = set(runs)
        thread.start()
        self._snapshot_timer.start()

    def pause(self, run: int | None = None) -> None:
        self._submit(Pause(run))

    def resume(self, run: int | None = None) -> None:
        self._submit(Resume(run))

    def step_once(self, run: int | None = None) -> None:
        self._submit(StepOnce(run))

    def stop(self, run: int | None = None) -> None:
        self._submit(Stop() if run is None else StopRun(run))

    def reset(self, run: int | None = None) -> None:
        """Forget a run's weights (every run's with None); the next Train starts afresh."""
        if self.running:
            self.stop()
            self.wait(5000)
        # What the stopped worker sent before it ended is still queued for this object: drop it,
        # or its last steps would land on the cleared plots and mark the forgotten model unsaved.
        QCoreApplication.removePostedEvents(self, QEvent.Type.MetaCall)
        for forgotten in list(self.steps) if run is None else [run]:
            self.forget_idle(forgotten)
            self.dirty_runs.discard(forgotten)
            self.steps.pop(forgotten, None)
        if run is None:
            self.forget_all_idle()
            self._shared_batches.clear()
        self._generation += 1

    @Slot(float)
    def set_learning_rate(self, value: float) -> None:
        if self.current in self._in_worker:
            self._submit(SetLearningRate(value, self.current))

    def set_clipping(self, mode: str, value: float) -> None:
        if self.current in self._in_worker:
            self._submit(SetClipping(mode, value, self.current))

    def follow(self, run: int) -> None:
        """Probes and snapshots are of ``run`` from now on (the one the window shows)."""
        self.current = run  # probes of the previous run still coming are tagged with it
        if self.running:
            self._submit(Follow(run))
        if run in self._in_worker:
            self.request_snapshot()
            self._submit(ProbeNow())
        else:
            self.emit_idle_snapshot(run)
            self.probe_now()

    @Slot(object)
    def snapshot_at_steps(self, steps: frozenset[int]) -> None:
        """Snapshots of the followed run right after each of ``steps`` (empty: none), in this
        worker and the next ones: the sample panel's timeline at fixed steps."""
        self._snapshot_steps = frozenset(steps)
        self._submit(SnapshotSteps(self._snapshot_steps))

    @Slot()
    def request_snapshot(self) -> None:
        if self.current in self._in_worker:
            self._submit(TakeSnapshot(self.current))

    @Slot(Vocabulary, str, object)
    def set_probe(self, vocabulary: Vocabulary, text: str, position: int | None = None) -> None:
        """Probe ``text`` from now on (connectivity at ``position``) and once right away."""
        self._use_probe(SetProbe(vocabulary, text, position))

    @Slot(object, int)
    def set_task_probe(self, task: Task, sequence: int) -> None:
        """Probe the task's sequence number ``sequence`` from now on, and once right away."""
        self._use_probe(SetProbe(None, "", None, task, sequence))

    def _use_probe(self, request: SetProbe) -> None:
        self._probe = request if request.active else None
        if self._worker is not None:
            self._worker.submit(request)
        # Every run no thread trains, on the new text: the inspector compares runs on one text.
        self.probe_idle_runs(self.idle_runs())

    def switch_task_length(self, task: Task) -> None:
        """Task runs go on at ``task``'s length: those training now at once (marked on their
        curves), the others when they next train."""
        if self._worker is not None:
            self._submit(SwitchTaskLength(task))

    @Slot()
    def probe_now(self) -> None:
        """One probe now: by the training thread while it trains the run, else of a copy."""
        if self.current in self._in_worker:
            self._submit(ProbeNow())
        else:
            self.probe_idle(self.current)

    def probe_statistics(self) -> tuple[int, float] | None:
        """(scheduled probes, their share of training time) of the running worker, for
        benchmarks: read across threads without a lock, so approximate while it runs."""
        return None if self._worker is None else self._worker.probe_statistics()

    def save(self, path: str, corpus: Corpus | Task, run: int | None = None) -> None:
        """Write a run's checkpoint: in the worker thread while it trains, else right here."""
        run = self.current if run is None else run
        if run in self._in_worker:
            self._saving.setdefault(path, set()).add(run)
            self._submit(SaveCheckpoint(path, corpus, run))
        elif self.save_idle(run, path, corpus):
            self.dirty_runs.discard(run)
            self.saved.emit(path)

    def wait(self, milliseconds: int) -> bool:
        """Block until the worker thread has ended (used on close and reset)."""
        thread = self._thread
        if thread is None:
            return True
        finished = thread.wait(milliseconds)
        if finished:
            self._on_finished()
        return finished

    def _submit(self, request: Request) -> None:
        if self._worker is not None:
            self._worker.submit(request)

    # ---- worker signals -------------------------------------------------------------------

    @Slot(TrainingUpdate)
    def _on_updated(self, update: TrainingUpdate) -> None:
        self.steps[update.run] = update.step
        self.dirty_runs.add(update.run)

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self.state = state
        if state == "paused":
            self.request_snapshot()  # sampling follows the weights the user is looking at

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.dirty_runs.difference_update(self._saving.pop(path, set()))

    @Slot()
    def _on_finished(self) -> None:
        thread, worker = self._thread, self._worker
        if thread is None or worker is None:
            return
        self._snapshot_timer.stop()
        thread.quit()
        thread.wait()
        self._thread, self._worker, self._in_worker = None, None, set()
        # The thread has ended, so reading the models here is safe.
        for run, trainer in worker.trainers.items():
            self.keep_idle(run, trainer)
        worker.deleteLater()
        thread.deleteLater()
        self.state = "stopped"
        self.stateChanged.emit("stopped")
        self.emit_idle_snapshot(self.current)  # sampling gets the final weights
        # The views show the final weights: the current run's, and the others' beside it.
        self.probe_idle_runs({self.current, *worker.trainers})
