"""The training thread: trains one run or several in turns, serves the window's requests, reports.

The engine never pushes: ``Trainer.run`` is a plain generator. A ``TrainingWorker`` is moved to a
``QThread``; its ``run`` slot builds the trainers (importing torch there, so the window stays
responsive), gives the runs turns (``rnnlab.core.race``: one thread, never one per run, and the
same share of training time each), and between steps applies what the window asked for. The window
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

from rnnlab.gui.training.messages import DivergenceNotice, HistoryCursor, describe_failure
from rnnlab.gui.training.probe_schedule import ProbeRotation, ProbeSchedule
from rnnlab.gui.training.requests import REQUESTS, Request, SetProbe, Stop
from rnnlab.gui.training.serving import RequestServing

if TYPE_CHECKING:
    from rnnlab.core.race import Lane, Race
    from rnnlab.core.spectral import SpectralTracker
    from rnnlab.core.trainer import Trainer

UPDATE_INTERVAL = 1.0 / 30.0  # seconds between two throttled updates
# While paused the thread sleeps on a condition that every request notifies, so it wakes at
# once; the timeout only bounds how long a missed notification could delay it.
PAUSED_WAIT = 0.1


class TrainingWorker(RequestServing):
    """Trains its runs in turns until stopped, or until every run has spent its budget.

    Its signals (``TrainingSignals``) are emitted in the training thread; ``finished`` says the
    loop has ended and the thread may quit. One run: ``TrainingWorker(build_trainer)`` (its id
    is 0); several: ``TrainingWorker(runs={id: build_trainer, ...})``.
    """

    finished = Signal()

    def __init__(
        self,
        build_trainer: Callable[[], Trainer] | None = None,
        *,
        runs: dict[int, Callable[[], Trainer]] | None = None,
        max_steps: int | None = None,
        time_budget: float | None = None,
        start_paused: bool = False,
    ) -> None:
        super().__init__()
        builds = runs if runs is not None else {0: build_trainer}
        if not builds or any(build is None for build in builds.values()):
            raise ValueError("a worker needs a trainer builder for every run")
        self._builds: dict[int, Callable[[], Trainer]] = builds  # type: ignore[assignment]
        self._max_steps = max_steps  # steps each run takes in this worker
        self._time_budget = time_budget  # seconds of training each run gets, pauses excluded
        # Shared with the window's thread: only touched under the lock (or, for the stop flag,
        # through the thread-safe Event).
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._requests: deque[Request] = deque()
        self._stop = threading.Event()
        # The training thread's own state.
        self._race: Race | None = None
        self._start_paused = start_paused
        self._single_steps: deque[int] = deque()  # runs owed one step while paused
        self._cursors: dict[int, HistoryCursor] = {}  # what of each history has been sent
        self._published: dict[int | None, str] = {}  # the last state sent, per run and overall
        self._last_emit = 0.0
        self._follow = next(iter(builds))  # probes and snapshots are of this run
        self._probe: SetProbe | None = None
        self._snapshot_steps: frozenset[int] = frozenset()  # the followed run's, for sampling
        self._spectral_trackers: dict[int, SpectralTracker] = {}
        self.probe_schedule = ProbeSchedule()
        self.probe_rotation = ProbeRotation()  # which run each scheduled probe is of

    @property
    def trainers(self) -> dict[int, Trainer]:
        """The built trainers by run. For the window's thread only after ``finished``: before
        that the training thread is changing them."""
        race = self._race
        return {} if race is None else {int(lane.name): lane.trainer for lane in race.lanes}

    @property
    def trainer(self) -> Trainer | None:
        """The followed run's trainer, or None if it could not be built (see ``trainers``)."""
        return self.trainers.get(self._follow)

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
        return schedule.probes, schedule.share(self._training_seconds())

    # ---- the loop, in the training thread ---------------------------------------------------

    @Slot()
    def run(self) -> None:
        """Build the trainers and train; never raises (an exception here would vanish)."""
        try:
            self._train()
        except Exception as error:
            trainer = self.trainer
            device = trainer.device.type if trainer is not None else None
            # The steps taken before the failure still count; the first error is the one to
            # report.
            with contextlib.suppress(Exception):
                self._flush(force=True)
            self.failed.emit(describe_failure(error, device))
        finally:
            for run in self._cursors:
                self._publish(run, "stopped")
            self.stateChanged.emit("stopped")
            self.finished.emit()

    def _train(self) -> None:
        from rnnlab.core.race import Lane, Race

        self._race = race = Race([], max_steps=self._max_steps, seconds=self._time_budget)
        for run, build in self._builds.items():
            self._add_lane(Lane(str(run), build(), paused=self._start_paused))
        self._last_emit = time.perf_counter()
        while True:
            self._serve_requests()
            if self._stop.is_set():
                break
            lane = self._next_single_step() or race.next_lane()
            if lane is None:
                if all(lane.stopped for lane in race.lanes):
                    break  # every run has spent its budget or was stopped
                self._flush(force=True)  # a run that just spent its budget: its last steps
                self._publish_states()
                self._wait_for_request()
                continue
            single = lane.paused
            self._take_turn(lane)
            self._flush(force=single)
            if self._snapshot_steps and self._snapshot_due(lane):
                self._snapshot(self._follow)
            if single:  # a step asked for while paused: the user looks at its result
                self._inspect(scheduled=False, lane=lane)
            elif self.probe_schedule.due(self._training_seconds()):
                probed = self._lane_to_probe()
                if probed is not None:
                    self._inspect(scheduled=True, lane=probed)
        self._flush(force=True)

    def _snapshot_due(self, lane: Lane) -> bool:
        """Whether the step just taken is one the timeline samples at (of the followed run)."""
        return int(lane.name) == self._follow and lane.trainer.step in self._snapshot_steps

    def _add_lane(self, lane: Lane) -> None:
        assert self._race is not None
        self._race.add(lane)
        self._cursors[int(lane.name)] = cursor = HistoryCursor()
        cursor.skip_to_end(lane.trainer.history)  # a continued run's past is not news
        self._publish_states()

    def _next_single_step(self) -> Lane | None:
        while self._single_steps:
            lane = self._lane(self._single_steps.popleft())
            if lane is not None and lane.paused and not lane.stopped:
                return lane
        return None

    def _lane_to_probe(self) -> Lane | None:
        """The training lane a scheduled probe is of: the followed one, unless another's views
        are getting old (``ProbeRotation``); one run alone is probed every time."""
        race = self._race
        training = [int(lane.name) for lane in race.lanes if lane.active] if race else []
        followed = self._follow if self._follow in training else None
        others = [run for run in training if run != self._follow]
        chosen = self.probe_rotation.choose(followed, others, time.perf_counter())
        return None if chosen is None else self._lane(chosen)

    def _training_seconds(self) -> float:
        race = self._race
        return 0.0 if race is None else sum(lane.seconds for lane in race.lanes)

    def _wait_for_request(self) -> None:
        with self._lock:
            if not self._requests and not self._stop.is_set():
                self._wake.wait(PAUSED_WAIT)

    def _take_turn(self, lane: Lane) -> None:
        """One step of ``lane`` and, when due, its evaluation (``Race.turn``)."""
        from rnnlab.core.trainer import StepReport

        assert self._race is not None
        self._race.turn(lane)
        run = int(lane.name)
        for report in lane.reports:
            if isinstance(report, StepReport):
                self._cursors[run].count_step(report)
        if lane.diverged:
            step = lane.trainer.step + 1
            self._flush(force=True)  # the steps before it, and its event in the history
            self.diverged.emit(DivergenceNotice(step, lane.diverged, run))
            self._single_steps = deque(item for item in self._single_steps if item != run)
        self._publish_states()

    def _flush(self, *, force: bool) -> None:
        """Emit each run's news, if any, when forced or the interval is over."""
        race = self._race
        if race is None:
            return
        now = time.perf_counter()
        if not force and now - self._last_emit < UPDATE_INTERVAL:
            return
        for lane in race.lanes:
            run, history = int(lane.name), lane.trainer.history
            cursor = self._cursors[run]
            if cursor.has_news(history):
                self.updated.emit(cursor.take(history, lane.trainer.step, lane.seconds, run))
        self._last_emit = now

    def _lane(self, run: int | None) -> Lane | None:
        run = self._follow if run is None else run
        race = self._race
        return None if race is None else next(
            (lane for lane in race.lanes if int(lane.name) == run), None
        )

    def _lanes(self, run: int | None) -> list[Lane]:
        """The run's lane, or every lane when ``run`` is None."""
        if run is None:
            return list(self._race.lanes) if self._race is not None else []
        lane = self._lane(run)
        return [] if lane is None else [lane]

    # ---- states ------------------------------------------------------------------------------

    def _publish_states(self) -> None:
        race = self._race
        if race is None:
            return
        for lane in race.lanes:
            self._publish(int(lane.name), _lane_state(lane))
        states = {_lane_state(lane) for lane in race.lanes}
        overall = "running" if "running" in states else "paused"
        if self._published.get(None) != overall:
            self._published[None] = overall
            self.stateChanged.emit(overall)

    def _publish(self, run: int, state: str) -> None:
        if self._published.get(run) != state:
            self._published[run] = state
            self.runStateChanged.emit(run, state)


def _lane_state(lane: Lane) -> str:
    if lane.diverged:
        return "diverged"
    if lane.stopped:
        return "stopped"
    return "paused" if lane.paused else "running"
