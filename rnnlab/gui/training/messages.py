"""What the training thread sends to the window: frozen values of NumPy arrays and plain numbers.

No tensors and no model cross the thread boundary, so the window can keep, plot and compare these
messages while the training thread goes on changing the live weights. This module imports
neither torch nor Qt: the window can unpack messages before torch has loaded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnlab.core.errors import RnnlabError, is_out_of_memory
from rnnlab.core.reports import validation_bits

if TYPE_CHECKING:  # annotations only: this module loads neither torch nor Qt
    from rnnlab.core.history import History
    from rnnlab.core.trainer import StepReport


@dataclass(frozen=True)
class SettingEvent:
    """A change recorded in the trainer's history: learning_rate, clipping, task_length (a task
    run went on at another length), or divergence."""

    step: int  # the trainer's step when it happened (a divergence names the refused step)
    name: str
    old: str
    new: str

    def label(self) -> str:
        """How the loss plot marks it: "lr 3e-03 → 1e-03", "clip norm 5 → none 5"."""
        if self.name == "learning_rate":
            return f"lr {_short_number(self.old)} → {_short_number(self.new)}"
        if self.name == "task_length":
            return f"T {self.old} → {self.new}"
        return f"clip {self.old} → {self.new}"

    @classmethod
    def from_history(cls, event: Mapping[str, Any]) -> SettingEvent:
        """From one entry of ``History.events``: {"step", "name", "old", "new"}."""
        return cls(
            step=int(event["step"]),
            name=str(event["name"]),
            old=str(event["old"]),
            new=str(event["new"]),
        )


@dataclass(frozen=True)
class TrainingUpdate:
    """Every step since the previous update (none lost, none repeated), with what came with them.

    The arrays are fresh copies owned by this message: nothing writes to them afterwards.
    """

    steps: np.ndarray  # (N,) int64
    losses: np.ndarray  # (N,) float32, nats per token (per character on a character run)
    grad_norms: np.ndarray  # (N,) float32, before clipping
    clipped: np.ndarray  # (N,) bool
    learning_rates: np.ndarray  # (N,) float32
    evaluations: tuple[tuple[int, float], ...]  # (step, validation loss) since the previous update
    events: tuple[SettingEvent, ...]  # setting changes and divergences since the previous update
    step: int  # the trainer's latest step
    chars_per_second: float  # over the training steps of this update; 0.0 when it has none
    elapsed: float  # seconds of training so far in this worker (pauses excluded)
    chars: np.ndarray  # (N,) int64: characters seen so far, at each step
    seconds: np.ndarray  # (N,) float32: the run's training seconds at each step (NaN: unknown)
    run: int  # which run these steps belong to
    # (step, validation accuracy) of a symbol task's validations in this update; empty on text
    accuracies: tuple[tuple[int, float], ...] = ()
    # A word or BPE run's losses per character of text (N,) float32, and its validations' (in
    # the order of ``evaluations``); None: the same as ``losses`` and ``evaluations``.
    char_losses: np.ndarray | None = None
    char_evaluations: tuple[float, ...] | None = None

    def losses_per_character(self) -> np.ndarray:
        """(N,) nats per character of text, whatever the run's unit."""
        return self.losses if self.char_losses is None else self.char_losses

    def validations_per_character(self) -> tuple[tuple[int, float], ...]:
        """(step, nats per character) of each validation."""
        if self.char_evaluations is None:
            return self.evaluations
        pairs = zip(self.evaluations, self.char_evaluations)
        return tuple((step, loss) for (step, _), loss in pairs)


@dataclass(frozen=True)
class DivergenceNotice:
    """A step was refused: its loss or gradient was not finite; the weights are from step - 1."""

    step: int
    reason: str
    run: int = 0


@dataclass
class HistoryCursor:
    """Where the last update ended in the trainer's history (used by the training thread only).

    The trainer's ``History`` already records every step, validation and setting change; an
    update is the slice of it since the previous update, so nothing is collected twice.
    """

    steps: int = 0  # entries of history.steps already sent
    evaluations: int = 0
    events: int = 0
    chars: int = 0  # characters trained on by the steps not yet sent
    step_seconds: float = 0.0  # time those steps took, evaluations excluded

    def skip_to_end(self, history: History) -> None:
        """A resumed run's past is not news: start after what the history already holds."""
        self.steps, self.evaluations = len(history), len(history.evaluations)
        self.events = len(history.events)

    def count_step(self, report: StepReport) -> None:
        """Add a StepReport's throughput."""
        self.chars += report.chars
        self.step_seconds += report.chars / max(report.chars_per_second, 1e-12)

    def has_news(self, history: History) -> bool:
        return (
            len(history) > self.steps
            or len(history.evaluations) > self.evaluations
            or len(history.events) > self.events
        )

    def take(
        self, history: History, step: int, elapsed: float, run: int = 0
    ) -> TrainingUpdate:
        """Everything after the cursor as an update (fresh arrays); the cursor moves to the end."""
        throughput = self.chars / self.step_seconds if self.step_seconds > 0 else 0.0
        losses = history.since("losses", self.steps)
        char_losses = history.since("char_losses", self.steps)
        validations = history.evaluations[self.evaluations :]
        # Per character only where it differs: a word or BPE run's (a character run's are equal).
        in_tokens = any("bits_per_char" in item for item in validations) or not np.array_equal(
            losses, char_losses, equal_nan=True
        )
        update = TrainingUpdate(
            steps=history.since("steps", self.steps),
            losses=losses,
            char_losses=char_losses if in_tokens else None,
            char_evaluations=tuple(map(_per_character, validations)) if in_tokens else None,
            grad_norms=history.since("grad_norms", self.steps),
            clipped=history.since("clipped", self.steps),
            learning_rates=history.since("learning_rates", self.steps),
            chars=history.since("chars", self.steps),
            seconds=history.since("seconds", self.steps),
            run=run,
            evaluations=tuple((int(item["step"]), float(item["loss"])) for item in validations),
            events=tuple(SettingEvent.from_history(item) for item in history.events[self.events :]),
            accuracies=tuple(
                (int(item["step"]), float(item["accuracy"]))
                for item in validations
                if "accuracy" in item
            ),
            step=step,
            chars_per_second=throughput,
            elapsed=elapsed,
        )
        self.skip_to_end(history)
        self.chars, self.step_seconds = 0, 0.0
        return update


def _per_character(validation: Mapping[str, Any]) -> float:
    """A history validation's loss in nats per character of text."""
    if "bits_per_char" in validation:  # a word or BPE run's
        return validation_bits(validation) * math.log(2.0)
    return float(validation["loss"])


def _short_number(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:.0e}" if number and not math.isclose(number, round(number)) else value


GPU_OUT_OF_MEMORY = "out of GPU memory: try a smaller batch or model, or the CPU"
OUT_OF_MEMORY = "out of memory: try a smaller batch or model"


def describe_failure(error: BaseException, device_type: str | None) -> str:
    """One line for the user about an exception that ended training."""
    message = str(error).strip()
    first_line = message.splitlines()[0] if message else ""
    if is_out_of_memory(error):
        # CUDA and MPS say "out of memory"; PyTorch's CPU allocator "can't allocate memory".
        on_gpu = isinstance(error, RuntimeError) and "out of memory" in message.lower()
        return GPU_OUT_OF_MEMORY if on_gpu and device_type != "cpu" else OUT_OF_MEMORY
    if isinstance(error, RnnlabError):  # its message is already written for the user
        return f"training stopped: {first_line}"
    return f"training stopped: {type(error).__name__}: {first_line}"


def describe_save_failure(path: str, error: BaseException) -> str:
    """One line: why a checkpoint could not be written, the same while training or stopped."""
    if isinstance(error, OSError) and error.strerror:
        reason = error.strerror  # "Permission denied", without errno and path
    else:
        message = str(error).strip()
        reason = message.splitlines()[0] if message else type(error).__name__
    return f"could not save {path}: {reason}"
