"""What the window asks of the training thread: one frozen dataclass per kind of request.

The window's thread queues these (``TrainingWorker.submit``); the training thread serves them
between steps, in order. A ``run`` names one of the worker's runs; None means all of them for
pausing, resuming, stepping and settings, and the run the views follow (``Follow``) for
snapshots and saves. A value that is not one of ``REQUESTS`` is refused when it is submitted, in
the caller's thread, so a mistake shows where it was made instead of vanishing in the queue.
Qt-free and torch-free: the corpus and vocabulary are the engine's NumPy-side objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from rnnlab.core.corpus import Corpus
from rnnlab.core.probe_result import MIN_PROBE_CHARS
from rnnlab.core.tasks import Task
from rnnlab.core.vocabulary import Vocabulary


@dataclass(frozen=True)
class Pause:
    """Stop after the current step and wait; updates up to it are sent first."""

    run: int | None = None


@dataclass(frozen=True)
class Resume:
    """Go on training; after a divergence this retries from the last good step."""

    run: int | None = None


@dataclass(frozen=True)
class Stop:
    """End the loop (requests queued before this one are served first)."""


@dataclass(frozen=True)
class StopRun:
    """Stop one run; the others go on (the loop ends with the last one)."""

    run: int


@dataclass(frozen=True)
class StepOnce:
    """While paused: exactly one step (and its evaluation, if due), then stay paused; with no
    run, one step of every paused run."""

    run: int | None = None


@dataclass(frozen=True)
class AddRun:
    """Train one more run: ``build`` makes its trainer, in the training thread."""

    run: int
    build: Callable[[], Any]  # () -> Trainer


@dataclass(frozen=True)
class Follow:
    """Probes and snapshots are of this run from now on (the one the window shows)."""

    run: int


@dataclass(frozen=True)
class SetLearningRate:
    value: float
    run: int | None = None


@dataclass(frozen=True)
class SetClipping:
    mode: str  # "norm" | "value" | "none"
    value: float
    run: int | None = None


@dataclass(frozen=True)
class TakeSnapshot:
    """A NumPy copy of the weights for sampling, after an update with every step before it."""

    run: int | None = None


@dataclass(frozen=True)
class SnapshotSteps:
    """A snapshot of the followed run right after each of these training steps (the sample
    panel's timeline at fixed steps); empty: none."""

    steps: frozenset[int]


@dataclass(frozen=True)
class SaveCheckpoint:
    path: str
    corpus: Corpus | Task
    run: int | None = None


@dataclass(frozen=True)
class SetProbe:
    """Probe ``text`` from now on (connectivity at ``position``; None: the last) and once now;
    a text shorter than the engine's minimum turns probing off. On a task: probe its sequence
    number ``sequence`` instead (``text`` is then empty)."""

    vocabulary: Vocabulary | None
    text: str
    position: int | None = None
    task: Task | None = None
    sequence: int = 0

    @property
    def active(self) -> bool:
        """Whether there is anything to probe."""
        return self.task is not None or len(self.text) >= MIN_PROBE_CHARS


@dataclass(frozen=True)
class SwitchTaskLength:
    """Every task run goes on at this task's length T, on new batches; recorded in each run's
    history and marked on the plots."""

    task: Task


@dataclass(frozen=True)
class ProbeNow:
    """One probe of the live weights between two steps."""


Request = (
    Pause | Resume | Stop | StopRun | StepOnce | AddRun | Follow | SetLearningRate | SetClipping
    | TakeSnapshot | SnapshotSteps | SaveCheckpoint | SetProbe | ProbeNow | SwitchTaskLength
)  # fmt: skip
REQUESTS: tuple[type, ...] = get_args(Request)  # what TrainingWorker.submit accepts
