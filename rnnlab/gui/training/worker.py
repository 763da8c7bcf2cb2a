"""The training thread: drives the engine's generator, serves the window's requests, reports back.

The engine never pushes: ``Trainer.run`` is a plain generator. A ``TrainingWorker`` is moved to a
``QThread``; its ``run`` slot builds the trainer (importing torch there, so the window stays
responsive), pulls reports, and between steps applies what the window asked for. The window
submits requests (``rnnlab.gui.training.requests``: ``Pause()``, ``SetLearningRate(3e-3)``, ...)
from its own thread: ``submit`` only appends to a lock-protected queue, which the training
thread reads between steps.

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
    worker.submit(Stop())  # on close: then wait for ``finished``, thread.quit(), wait()
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot

from rnnlab.core.errors import ConfigError
from rnnlab.core.probe_result import MIN_PROBE_CHARS
from rnnlab.gui.training.messages import (
    DivergenceNotice,
    HistoryCursor,
    describe_failure,
    describe_save_failure,
)
from rnnlab.gui.training.probe_schedule import ProbeSchedule
from rnnlab.gui.training.requests import (
    REQUESTS,
    Pause,
    ProbeNow,
    Request,
    Resume,
    SaveCheckpoint,
    SetClipping,
    SetLearningRate,
    SetProbe,
    StepOnce,
    Stop,
    TakeSnapshot,
)
from rnnlab.gui.training.signals import TrainingSignals

if TYPE_CHECKING:
    from rnnlab.core.corpus import Corpus
    from rnnlab.core.trainer import Trainer

UPDATE_INTERVAL = 1.0 / 30.0  # seconds between two throttled updates
# While paused the thread sleeps on a condition that every request notifies, so it wakes at
# once; the timeout only bounds how long a missed notification could delay it.
PAUSED_WAIT = 0.1


class TrainingWorker(TrainingSignals):
    """Trains in its own thread until stopped, the step limit or the time budget is reached.

    Its signals (``TrainingSignals``) are emitted in the training thread; ``finished`` says the
    loop has ended and the thread may quit.
    """

    finished = Signal()

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
        self._requests: deque[Request] = deque()
        self._stop = threading.Event()
        # The training thread's own state.
        self._trainer: Trainer | None = None
        self._paused = start_paused
        self._single_steps = 0  # steps asked for with step_once while paused
        self._steps_taken = 0
        self._training_seconds = 0.0
        self._cursor = HistoryCursor()  # what of the trainer's history has been sent
        self._last_emit = 0.0
        self._probe: SetProbe | None = None
        self.probe_schedule = ProbeSchedule()

    @property
    def trainer(self) -> Trainer | None:
        """The trainer, or None if it could not be built.

        For the window's thread only after ``finished``: before that the training thread is
        changing it, and reading the live model from another thread races with the step.
        """
        return self._trainer

    # ---- requests, from any thread ---------------------------------------------------------

    def submit(self, request: Request) -> None:
        """Queue a request for the training thread (served between steps, in order).

        Raises TypeError at once for anything that is not a request of ``requests.REQUESTS``.
        """
        if not isinstance(request, REQUESTS):
            raise TypeError(f"not a training request: {request!r}")
        if isinstance(request, Stop):
            self._stop.set()  # also ends a step's evaluation early
        with self._lock:
            self._requests.append(request)
            self._wake.notify_all()

    def probe_statistics(self) -> tuple[int, float]:
        """(scheduled probes so far, their share of training plus probing time)."""
        schedule = self.probe_schedule
        return schedule.probes, schedule.share(self._training_seconds)

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
        assert trainer is not None  # steps are taken only after the trainer is built
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
                request = self._requests.popleft()
            self._serve(request)

    def _serve(self, request: Request) -> None:
        trainer = self._trainer
        assert trainer is not None  # requests are served only once the trainer is built
        match request:
            case Pause():
                if not self._paused:
                    self._flush(force=True)
                    self._paused = True
                    self.stateChanged.emit("paused")
            case Resume():
                if self._paused:
                    self._paused = False
                    self._single_steps = 0
                    self.stateChanged.emit("running")
            case StepOnce():
                if self._paused:
                    self._single_steps += 1
            case Stop():
                pass  # the stop flag, set when it was submitted, ends the loop
            case SetLearningRate(value):
                self._change_setting(lambda: trainer.set_learning_rate(value))
            case SetClipping(mode, value):
                self._change_setting(lambda: trainer.set_clipping(mode, value))
            case TakeSnapshot():
                from rnnlab.core.stepping import NumpyStepper

                self._flush(force=True)  # the window then has every step up to the snapshot
                self.snapshotReady.emit(NumpyStepper.from_model(trainer.model), trainer.step)
            case SaveCheckpoint(path, corpus):
                self._save(path, corpus)
            case SetProbe():
                self._probe = request if len(request.text) >= MIN_PROBE_CHARS else None
                self._inspect(scheduled=False)
            case ProbeNow():
                self._inspect(scheduled=False)
            case _:  # submit() refuses these; a new request type must be served here
                raise TypeError(f"no way to serve {request!r}")

    def _change_setting(self, change: Callable[[], None]) -> None:
        try:
            change()
        except ConfigError:
            return  # the window validates values; a bad one changes nothing
        self._flush(force=True)  # the change's marker reaches the plots at once

    def _inspect(self, *, scheduled: bool) -> None:
        """Probe the live model between steps and emit the inspection."""
        trainer = self._trainer
        if self._probe is None or trainer is None:
            return
        from rnnlab.core.inspection import inspect

        probe = self._probe
        started = time.perf_counter()
        try:
            inspection = inspect(
                trainer.model,
                probe.vocabulary,
                probe.text,
                step=trainer.step,
                connectivity_position=probe.position,
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

        assert self._trainer is not None  # requests are served only once it is built
        try:
            save_checkpoint(self._trainer, corpus, path)
        except Exception as error:  # a failed save must not end the training
            self.failed.emit(describe_save_failure(path, error))
            return
        self.saved.emit(str(path))
