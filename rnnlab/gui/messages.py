"""What the training thread sends to the window: frozen values of NumPy arrays and plain numbers.

No tensors and no model cross the thread boundary, so the window can keep, plot and compare these
messages while the training thread goes on changing the live weights. This module imports
neither torch nor Qt: the window can unpack messages before torch has loaded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SettingEvent:
    """A change recorded in the trainer's history: learning_rate, clipping, or divergence."""

    step: int  # the trainer's step when it happened (a divergence names the refused step)
    name: str
    old: str
    new: str

    def label(self) -> str:
        """How the loss plot marks it: "lr 3e-03 → 1e-03", "clip norm 5 → none 5"."""
        if self.name == "learning_rate":
            return f"lr {_short_number(self.old)} → {_short_number(self.new)}"
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
    losses: np.ndarray  # (N,) float64, nats per character
    grad_norms: np.ndarray  # (N,) float64, before clipping
    clipped: np.ndarray  # (N,) bool
    learning_rates: np.ndarray  # (N,) float64
    evaluations: tuple[tuple[int, float], ...]  # (step, validation loss) since the previous update
    events: tuple[SettingEvent, ...]  # setting changes and divergences since the previous update
    step: int  # the trainer's latest step
    chars_per_second: float  # over the training steps of this update; 0.0 when it has none
    elapsed: float  # seconds of training so far in this worker (pauses excluded)


@dataclass(frozen=True)
class DivergenceNotice:
    """A step was refused: its loss or gradient was not finite; the weights are from step - 1."""

    step: int
    reason: str


@dataclass
class UpdateBuffer:
    """Collects steps, evaluations and events between two updates (used by one thread only)."""

    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    clipped: list[bool] = field(default_factory=list)
    learning_rates: list[float] = field(default_factory=list)
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    events: list[SettingEvent] = field(default_factory=list)
    chars: int = 0  # characters trained on by the buffered steps
    step_seconds: float = 0.0  # time the buffered steps took, evaluations excluded

    def add_step(self, report: Any) -> None:
        """Add a StepReport (typed loosely: this module must not import the torch side)."""
        self.steps.append(report.step)
        self.losses.append(report.loss)
        self.grad_norms.append(report.grad_norm)
        self.clipped.append(report.clipped)
        self.learning_rates.append(report.learning_rate)
        self.chars += report.chars
        self.step_seconds += report.chars / max(report.chars_per_second, 1e-12)

    def add_evaluation(self, step: int, loss: float) -> None:
        self.evaluations.append((step, loss))

    def add_event(self, event: SettingEvent) -> None:
        self.events.append(event)

    def __bool__(self) -> bool:
        return bool(self.steps or self.evaluations or self.events)

    def take(self, step: int, elapsed: float) -> TrainingUpdate:
        """The buffered contents as an update (arrays copied); the buffer is left empty."""
        throughput = self.chars / self.step_seconds if self.step_seconds > 0 else 0.0
        update = TrainingUpdate(
            steps=np.array(self.steps, dtype=np.int64),
            losses=np.array(self.losses, dtype=np.float64),
            grad_norms=np.array(self.grad_norms, dtype=np.float64),
            clipped=np.array(self.clipped, dtype=bool),
            learning_rates=np.array(self.learning_rates, dtype=np.float64),
            evaluations=tuple(self.evaluations),
            events=tuple(self.events),
            step=step,
            chars_per_second=throughput,
            elapsed=elapsed,
        )
        self.clear()
        return update

    def clear(self) -> None:
        for values in (self.steps, self.losses, self.grad_norms, self.clipped):
            values.clear()
        self.learning_rates.clear()
        self.evaluations.clear()
        self.events.clear()
        self.chars = 0
        self.step_seconds = 0.0


def _short_number(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:.0e}" if number and not math.isclose(number, round(number)) else value
