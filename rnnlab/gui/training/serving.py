"""How the training thread serves the window's requests between steps (``requests``).

``TrainingWorker`` (``worker``) owns the loop and the runs' lanes; this base class holds what
each request does to them, so the loop stays readable. Everything here runs in the training
thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from rnnlab.core.errors import ConfigError
from rnnlab.gui.training.messages import describe_failure, describe_save_failure
from rnnlab.gui.training.probe_schedule import ProbeSchedule
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
from rnnlab.gui.training.signals import TrainingSignals

if TYPE_CHECKING:
    from rnnlab.core.corpus import Corpus
    from rnnlab.core.race import Lane
    from rnnlab.core.spectral import SpectralTracker
    from rnnlab.core.tasks import Task
    from rnnlab.core.trainer import Trainer


class RequestServing(TrainingSignals):
    """The requests' effects on the runs; the worker provides the lanes and the flushing."""

    _lock: threading.Lock
    _requests: deque[Request]
    _single_steps: deque[int]
    _follow: int
    _probe: SetProbe | None
    _snapshot_steps: frozenset[int]
    _spectral_trackers: dict[int, SpectralTracker]  # per run: its spectral norms, kept warm
    probe_schedule: ProbeSchedule

    # ---- provided by the worker ------------------------------------------------------------

    def _lane(self, run: int | None) -> Lane | None:
        raise NotImplementedError

    def _lanes(self, run: int | None) -> list[Lane]:
        raise NotImplementedError

    def _add_lane(self, lane: Lane) -> None:
        raise NotImplementedError

    def _flush(self, *, force: bool) -> None:
        raise NotImplementedError

    def _publish_states(self) -> None:
        raise NotImplementedError

    def _training_seconds(self) -> float:
        raise NotImplementedError

    # ---- serving -----------------------------------------------------------------------------

    def _serve_requests(self) -> None:
        while True:
            with self._lock:
                if not self._requests:
                    return
                request = self._requests.popleft()
            self._serve(request)
            self._publish_states()

    def _serve(self, request: Request) -> None:
        match request:
            case Pause(run):
                lanes = self._lanes(run)
                if any(not lane.paused for lane in lanes):
                    self._flush(force=True)
                for lane in lanes:
                    lane.paused = True
            case Resume(run):
                for lane in self._lanes(run):
                    lane.paused, lane.diverged = False, ""  # after a divergence: retry
                self._single_steps.clear()
            case StepOnce(run):
                for lane in self._lanes(run):
                    if lane.paused and not lane.diverged:
                        self._single_steps.append(int(lane.name))
            case Stop():
                pass  # the stop flag, set when it was submitted, ends the loop
            case StopRun(run):
                for lane in self._lanes(run):
                    self._flush(force=True)
                    lane.stopped = True
            case AddRun(run, build):
                self._add_run(run, build)
            case Follow(run):
                self._follow = run
            case SetLearningRate(value, run):
                for trainer in self._trainers(run):
                    self._change_setting(lambda: trainer.set_learning_rate(value))  # noqa: B023
            case SetClipping(mode, value, run):
                for trainer in self._trainers(run):
                    self._change_setting(lambda: trainer.set_clipping(mode, value))  # noqa: B023
            case TakeSnapshot(run):
                self._snapshot(run)
            case SnapshotSteps(steps):
                self._snapshot_steps = steps
            case SaveCheckpoint(path, corpus, run):
                self._save(path, corpus, run)
            case SetProbe():
                self._probe = request if request.active else None
                self._inspect(scheduled=False)
            case SwitchTaskLength(task):
                self._switch_task_length(task)
            case ProbeNow():
                self._inspect(scheduled=False)
            case _:  # submit() refuses these; a new request type must be served here
                raise TypeError(f"no way to serve {request!r}")

    def _trainers(self, run: int | None) -> list[Trainer]:
        return [lane.trainer for lane in self._lanes(run)]

    def _add_run(self, run: int, build: Callable[[], Trainer]) -> None:
        from rnnlab.core.race import Lane

        if self._lane(run) is not None:
            lane = self._lane(run)
            assert lane is not None
            lane.stopped = False  # Train again on a run stopped in this worker
            lane.steps, lane.seconds = 0, 0.0  # a fresh budget
            return
        try:
            trainer = build()
        except Exception as error:  # one run that cannot start must not end the others
            self.failed.emit(describe_failure(error, None))
            return
        self._add_lane(Lane(str(run), trainer))

    def _change_setting(self, change: Callable[[], None]) -> None:
        try:
            change()
        except ConfigError:
            return  # the window validates values; a bad one changes nothing
        self._flush(force=True)  # the change's marker reaches the plots at once

    def _snapshot(self, run: int | None) -> None:
        from rnnlab.core.stepping import NumpyStepper

        lane = self._lane(run)
        if lane is None or not lane.trainer.model.config.writes_text:
            return  # a task's answers are not sampled
        self._flush(force=True)  # the window then has every step up to the snapshot
        trainer = lane.trainer
        stepper = NumpyStepper.from_model(trainer.model)
        self.snapshotReady.emit(stepper, trainer.step, int(lane.name))

    def _inspect(self, *, scheduled: bool, lane: Lane | None = None) -> None:
        """Probe a run's live model between steps (the followed run's unless ``lane`` says
        another) and emit the inspection with its run."""
        lane = lane or self._lane(None)
        if self._probe is None or lane is None:
            return
        from rnnlab.core.spectral import SpectralTracker
        from rnnlab.gui.training.probing import inspect_request

        trainer, probe, run = lane.trainer, self._probe, int(lane.name)
        spectral = self._spectral_trackers.setdefault(run, SpectralTracker())
        started = time.perf_counter()
        try:
            inspection = inspect_request(
                trainer.model, probe, trainer.step, trainer.group_grad_norms(), spectral,
                trainer.data.tokenizer,
            )  # fmt: skip
        except Exception as error:  # a bad probe text must not end the training
            self._probe = None  # not again on every step: the window sends a new text
            self.probeFailed.emit(f"probe failed: {error}")
            return
        self._flush(force=True)  # the window has every step up to the probed weights
        self.runInspected.emit(run, inspection)
        if run == self._follow:
            self.inspected.emit(inspection)
        if scheduled:
            self.probe_schedule.record(
                self._training_seconds(), time.perf_counter() - started, run
            )

    def _switch_task_length(self, task: Task) -> None:
        from rnnlab.core.task_data import TaskData
        from rnnlab.core.task_switch import switch_task_length

        shared: dict[tuple[int, int], TaskData] = {}  # runs with the same batching share batches
        for lane in self._lanes(None):
            config = lane.trainer.config
            key = (config.batch_size, config.seed)
            if key not in shared:
                shared[key] = TaskData(task, config.batch_size, config.seed)
            self._change_setting(
                lambda: switch_task_length(lane.trainer, task, shared[key])  # noqa: B023
            )

    def _save(self, path: str, corpus: Corpus | Task, run: int | None) -> None:
        from rnnlab.core.checkpoint import save_checkpoint

        lane = self._lane(run)
        if lane is None:
            self.failed.emit(f"could not save {path}: that run is not training")
            return
        try:
            save_checkpoint(lane.trainer, corpus, path)
        except Exception as error:  # a failed save must not end the training
            self.failed.emit(describe_save_failure(path, error))
            return
        self.saved.emit(str(path))
