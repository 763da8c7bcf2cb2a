"""What the window asks of the training thread: one frozen dataclass per kind of request.

The window's thread queues these (``TrainingWorker.submit``); the training thread serves them
between steps, in order. A value that is not one of ``REQUESTS`` is refused when it is submitted,
in the caller's thread, so a mistake shows where it was made instead of vanishing in the queue.
Qt-free and torch-free: the corpus and vocabulary are the engine's NumPy-side objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from rnnlab.core.corpus import Corpus
from rnnlab.core.vocabulary import Vocabulary


@dataclass(frozen=True)
class Pause:
    """Stop after the current step and wait; updates up to it are sent first."""


@dataclass(frozen=True)
class Resume:
    """Go on training; after a divergence this retries from the last good step."""


@dataclass(frozen=True)
class Stop:
    """End the loop (requests queued before this one are served first)."""


@dataclass(frozen=True)
class StepOnce:
    """While paused: exactly one step (and its evaluation, if due), then stay paused."""


@dataclass(frozen=True)
class SetLearningRate:
    value: float


@dataclass(frozen=True)
class SetClipping:
    mode: str  # "norm" | "value" | "none"
    value: float


@dataclass(frozen=True)
class TakeSnapshot:
    """A NumPy copy of the weights for sampling, after an update with every step before it."""


@dataclass(frozen=True)
class SaveCheckpoint:
    path: str
    corpus: Corpus


@dataclass(frozen=True)
class SetProbe:
    """Probe ``text`` from now on (connectivity at ``position``; None: the last) and once now;
    a text shorter than the engine's minimum turns probing off."""

    vocabulary: Vocabulary
    text: str
    position: int | None = None


@dataclass(frozen=True)
class ProbeNow:
    """One probe of the live weights between two steps."""


Request = (
    Pause | Resume | Stop | StepOnce | SetLearningRate | SetClipping | TakeSnapshot
    | SaveCheckpoint | SetProbe | ProbeNow
)  # fmt: skip
REQUESTS: tuple[type, ...] = get_args(Request)  # what TrainingWorker.submit accepts
