"""The training thread: drives the engine's generator, serves the window's requests, reports back.

The engine never pushes: ``Trainer.run`` is a plain generator. A ``TrainingWorker`` is moved to a
``QThread``; its ``run`` slot builds the trainer (importing torch there, so the window stays
responsive), pulls reports, and between steps applies what the window asked for. The window
calls the request methods (``pause``, ``set_learning_rate``, ...) from its own thread: they only
append to a lock-protected queue, which the training thread reads between steps.

Only this thread touches the live model. What leaves it is frozen: ``TrainingUpdate`` messages of
NumPy arrays, at most about 30 a second however fast the steps are, and ``NumpyStepper`` weight
snapshots for sampling.

Wiring, in the window's thread (connect the signals to methods of QObjects living in that
thread, never to lambdas: those would run here, in the training thread)::

    worker = TrainingWorker(build_trainer)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    thread.start()
    ...
    worker.stop()  # on close: then wait for ``finished``, thread.quit(), thread.wait()
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from rnnlab.core.errors import ConfigError
from rnnlab.core.probe_result import MIN_PROBE_CHARS
from rnnlab.gui.messages import (
    DivergenceNotice,
    HistoryCursor,
    describe_failure,
    describe_save_failure,
)
from rnnlab.gui.probe_schedule import ProbeSchedule

if TYPE_CHECKING:
    from rnnlab.core.corpus import Corpus
    from rnnlab.core.trainer import Trainer
    from rnnlab.core.vocabulary import Vocabulary

UPDATE_INTERVAL = 1.0 / 30.0  # seconds between two throttled updates
# While paused the thread sleeps on a condition that every request notifies, so it wakes at
# once; the timeout only bounds how long a missed notification could delay it.
PAUSED_WAIT = 0.1


class TrainingWorker(QObject):
    """Trains in its own thread until stopped, the step limit or the time budget is reached."""

    updated = Signal(object)  # TrainingUpdate, at most about 30 per second
    # Signal names follow Qt's camelCase, as the window's code expects of Qt signals.
    stateChanged = Signal(str)  # "running" | "paused" | "stopped"
    # DivergenceNotice; the worker has paused itself, the weights are those of the last good step
    diverged = Signal(object)
    # One line. Fatal problems are followed by stateChanged("stopped") and finished; a failed
    # save (message "could not save ...") is not fatal: training goes on.
    failed = Signal(str)
    snapshotReady = Signal(object, int)  # (NumpyStepper, the step its weights are from)
    # Inspection: a probe of the live weights, on a time budget while training, at once when
    # asked (probe_now, a new probe text, a single step). A failed probe reports probeFailed
    # and training goes on.
    inspected = Signal(object)
    probeFailed = Signal(str)
    saved = Signal(str)  # the path of a checkpoint written on request
    finished = Signal()  # the loop has ended: the thread may quit

    def __init__(
        self,
        build_trainer: Callable[[], Trainer],
        *,
        max_steps: int | None = None,
        time_budget: float | None = None,
        start_paused: bool = False,
    ) -> None:
        super().__init__()
        self._build_trainer = build_trainer  # called in the training thread
        self._max_steps = max_steps  # steps taken by this worker
        self._time_budget = time_budget  # seconds of training, pauses excluded
        # Shared with the window's thread: only touched under the lock (or, for the stop flag,
        # through the thread-safe Event).
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._requests: deque[tuple[str, Any]] = deque()
        self._stop = threading.Event()
        # The training thread's own state.
        self._trainer: Trainer | None = None
        self._paused = start_paused
        self._single_steps = 0  # steps asked for with step_once while paused
        self._steps_taken = 0
        self._training_seconds = 0.0
        self._cursor = HistoryCursor()  # what of the trainer's history has been sent
        self._last_emit = 0.0
        self._probe: tuple[Vocabulary, str, int | None] | None = None  # vocabulary, text, position
        self.probe_schedule = ProbeSchedule()

    @property
    def trainer(self) -> Trainer | None:
        """The trainer, or None if it could not be built.

        For the window's thread only after ``finished``: before that the training thread is
        changing it, and reading the live model from another thread races with the step.
        """
        return self._trainer

    # ---- requests, from any thread ---------------------------------------------------------

    def pause(self) -> None:
        self._request("pause")

    def resume(self) -> None:
        """Go on training; after a divergence this retries from the last good step."""
        self._request("resume")

    def stop(self) -> None:
        """End the loop within one training step (requests queued before this are served)."""
        self._stop.set()
        self._request("stop")

    def step_once(self) -> None:
        """While paused: take exactly one step (and its evaluation, if due), then stay paused."""
        self._request("step")

    def set_learning_rate(self, value: float) -> None:
        """Applied between steps. An invalid value is ignored: the window validates values."""
        self._request("learning_rate", value)

    def set_clipping(self, mode: str, value: float) -> None:
        """Applied between steps. Invalid settings are ignored: the window validates values."""
        self._request("clipping", (mode, value))

    def request_snapshot(self) -> None:
        """Answered by snapshotReady, after an update carrying every step up to the snapshot."""
        self._request("snapshot")

    def request_save(self, path: str, corpus: Corpus) -> None:
        """Write a checkpoint between steps; answered by saved(path) or failed(message)."""
        self._request("save", (path, corpus))

    def set_probe(self, vocabulary: Vocabulary, text: str, position: int | None = None) -> None:
        """Probe ``text`` from now on (connectivity at ``position``; None: the last); probes
        at once if a trainer exists. An empty text turns probing off."""
        self._request("probe_settings", (vocabulary, text, position))

    def probe_now(self) -> None:
        self._request("probe")

    def probe_statistics(self) -> tuple[int, float]:
        """(scheduled probes so far, their share of training plus probing time)."""
        schedule = self.probe_schedule
        return schedule.probes, schedule.share(self._training_seconds)

    def _request(self, kind: str, argument: Any = None) -> None:
        with self._lock:
            self._requests.append((kind, argument))
            self._wake.notify_all()

    # ---- the loop, in the training thread ---------------------------------------------------

    @Slot()
    def run(self) -> None:
        """Build the trainer and train; never raises (an exception here would vanish)."""
        try:
            self._train()
        except Exception as error:
            device = self._trainer.device.type if self._trainer is not None else None
            # The steps taken before the failure still count; the first error is the one to
            # report.
            with contextlib.suppress(Exception):
                self._flush(force=True)
            self.failed.emit(describe_failure(error, device))
        finally:
            self.stateChanged.emit("stopped")
            self.finished.emit()

    def _train(self) -> None:
        self._trainer = trainer = self._build_trainer()
        self._cursor.skip_to_end(trainer.history)
        self._last_emit = time.perf_counter()
        self.stateChanged.emit("paused" if self._paused else "running")
        while True:
            self._serve_requests()
            if self._stop.is_set() or self._limit_reached():
                break
            if self._paused and self._single_steps == 0:
                self._wait_for_request()
                continue
            single = self._paused
            if single:
                self._single_steps -= 1
            self._take_step()
            self._flush(force=single)
            if single or self.probe_schedule.due(self._training_seconds):
                self._inspect(scheduled=not single)
        self._flush(force=True)

    def _limit_reached(self) -> bool:
        if self._max_steps is not None and self._steps_taken >= self._max_steps:
            return True
        return self._time_budget is not None and self._training_seconds >= self._time_budget

    def _wait_for_request(self) -> None:
        with self._lock:
            if not self._requests and not self._stop.is_set():
                self._wake.wait(PAUSED_WAIT)

    def _take_step(self) -> None:
        """One step and, when due, its evaluation: a fresh ``run(max_steps=1)`` generator.

        One generator per step keeps a step and its evaluation together, so a pause never falls
        between them, and it makes going on after a divergence (which ends a generator) the
        same as going on after anything else.
        """
        from rnnlab.core.trainer import DivergenceReport, EvalReport  # loaded by build_trainer

        trainer = self._trainer
        started = time.perf_counter()
        reports = trainer.run(max_steps=1)
        try:
            for report in reports:
                if isinstance(report, DivergenceReport):
                    self._on_divergence(DivergenceNotice(report.step, report.reason))
                elif not isinstance(report, EvalReport):  # evaluations: in the history
                    self._cursor.count_step(report)
                    self._steps_taken += 1
                if self._stop.is_set():
                    break  # stopping: skip the evaluation that may be due after this step
        finally:
            reports.close()
            self._training_seconds += time.perf_counter() - started

    def _on_divergence(self, notice: DivergenceNotice) -> None:
        self._flush(force=True)  # the steps before it, and its event in the history
        self.diverged.emit(notice)
        self._single_steps = 0
        if not self._paused:
            self._paused = True
            self.stateChanged.emit("paused")

    def _flush(self, *, force: bool) -> None:
        """Emit what has been collected, if anything, and if forced or the interval is over."""
        trainer = self._trainer
        if trainer is None:
            return
        if not self._cursor.has_news(trainer.history):
            return
        now = time.perf_counter()
        if not force and now - self._last_emit < UPDATE_INTERVAL:
            return
        self.updated.emit(self._cursor.take(trainer.history, trainer.step, self._training_seconds))
        self._last_emit = now

    def _serve_requests(self) -> None:
        while True:
            with self._lock:
                if not self._requests:
                    return
                kind, argument = self._requests.popleft()
            self._serve(kind, argument)

    def _serve(self, kind: str, argument: Any) -> None:
        trainer = self._trainer
        if kind == "pause" and not self._paused:
            self._flush(force=True)
            self._paused = True
            self.stateChanged.emit("paused")
        elif kind == "resume" and self._paused:
            self._paused = False
            self._single_steps = 0
            self.stateChanged.emit("running")
        elif kind == "step" and self._paused:
            self._single_steps += 1
        elif kind in ("learning_rate", "clipping"):
            try:
                if kind == "learning_rate":
                    trainer.set_learning_rate(argument)
                else:
                    trainer.set_clipping(*argument)
            except ConfigError:
                return  # the window validates values; a bad one changes nothing
            self._flush(force=True)
        elif kind == "snapshot":
            from rnnlab.core.stepping import NumpyStepper

            self._flush(force=True)  # the window then has every step up to the snapshot
            self.snapshotReady.emit(NumpyStepper.from_model(trainer.model), trainer.step)
        elif kind == "save":
            self._save(*argument)
        elif kind == "probe_settings":
            self._probe = argument if len(argument[1]) >= MIN_PROBE_CHARS else None
            self._inspect(scheduled=False)
        elif kind == "probe":
            self._inspect(scheduled=False)

    def _inspect(self, *, scheduled: bool) -> None:
        """Probe the live model between steps and emit the inspection."""
        trainer = self._trainer
        if self._probe is None or trainer is None:
            return
        from rnnlab.core.inspection import inspect

        vocabulary, text, position = self._probe
        started = time.perf_counter()
        try:
            inspection = inspect(
                trainer.model,
                vocabulary,
                text,
                step=trainer.step,
                connectivity_position=position,
                group_grad_norms=trainer.group_grad_norms(),
            )
        except Exception as error:  # a bad probe text must not end the training
            self._probe = None  # not again on every step: the window sends a new text
            self.probeFailed.emit(f"probe failed: {error}")
            return
        self._flush(force=True)  # the window has every step up to the probed weights
        self.inspected.emit(inspection)
        if scheduled:
            self.probe_schedule.record(self._training_seconds, time.perf_counter() - started)

    def _save(self, path: str, corpus: Corpus) -> None:
        from rnnlab.core.checkpoint import save_checkpoint

        try:
            save_checkpoint(self._trainer, corpus, path)
        except Exception as error:  # a failed save must not end the training
            self.failed.emit(describe_save_failure(path, error))
            return
        self.saved.emit(str(path))
