"""What ``lesson_walk`` reads a lesson's point with: the window being walked and what the walk
noted (``Watch``), a point's verdict (``Reading``), and how a lesson is walked (``LessonWalk``).

A point reads only what arrived after the Next that started its step: a curve from an earlier
step, or the chance level a run sits at before training, never counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Reading:
    reached: bool
    measured: str


@dataclass
class Watch:
    """The window being walked and what the walk noted: when each step's Next was pressed,
    each run's step then, and the samples that finished since the walk began."""

    window: Any  # the MainWindow
    lesson: Any  # the Lesson walked
    presses: dict[int, float] = field(default_factory=dict)  # step -> monotonic seconds
    steps_at: dict[int, dict[int, int]] = field(default_factory=dict)  # step -> run -> step
    # (step, T, text, mean entropy in nats per character as the sample panel measured it)
    samples: list[tuple[int, float, str, float | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.window.sample_panel.samplingFinished.connect(self._sampled)

    def _sampled(self, text: str) -> None:
        panel = self.window.sample_panel
        step = max(self.presses, default=0)
        self.samples.append((step, panel.temperature(), text, panel.sample_entropy()))

    def runs(self, cells: tuple[str, ...] | None = None) -> list[Any]:
        """The window's runs (of these cells), in the order they were made."""
        return [run for run in self.window.runs.runs.values()
                if cells is None or run.model_config.cell in cells]  # fmt: skip

    def validations(self, run: Any, since: int) -> tuple[np.ndarray, np.ndarray]:
        """The run's validation points as plotted, after its step when step ``since`` was
        pressed."""
        data = self.window.loss_plot.data(run.run)
        steps, losses = data["validation_steps"], data["validation_losses"]
        after = steps > self.steps_at.get(since, {}).get(run.run, -1)
        return steps[after], losses[after]

    def latest(self, run: Any, since: int) -> tuple[int, float]:
        steps, losses = self.validations(run, since)
        return (int(steps[-1]), float(losses[-1])) if len(steps) else (-1, math.nan)


Point = Callable[[Watch], Reading]


@dataclass(frozen=True)
class LessonWalk:
    """How a lesson is walked: Next up to ``key``, the step that shows ``point``; the clock
    starts at the Next of step ``timed_from``. An earlier step waits for its entry in
    ``waits`` before the next Next (without one: until its training or sample has ended).
    ``when_done``: the screenshots wait for the key step's training to end. After them, the
    steps in ``after`` are walked too, each timed from its own Next."""

    key: int
    point: Point
    timed_from: int | None = None
    waits: dict[int, Point] = field(default_factory=dict)
    when_done: bool = False
    after: dict[int, Point] = field(default_factory=dict)  # later steps, timed from their Next

    @property
    def start(self) -> int:
        return self.timed_from or self.key
