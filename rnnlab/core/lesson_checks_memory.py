"""The checks of the lessons about memory and gradients: "Why vanilla RNNs forget" and
"Exploding gradients and clipping". Each trains the lesson's own runs headless for a budget of
steps (``rnnlab.core.lesson_training``) and measures the lesson's claim."""

from __future__ import annotations

import math

import numpy as np

from rnnlab.core.corpus import Corpus
from rnnlab.core.lesson import Lesson
from rnnlab.core.lesson_training import (
    CheckResult,
    final_loss,
    lesson_race,
    lesson_source,
    number,
    peak_grad_norm,
    race_to_the_end,
    runs_with_cells,
    set_lengths,
)
from rnnlab.core.race import Lane
from rnnlab.core.task_probe import probe_task
from rnnlab.core.tasks import Task

VANILLA, GATED = ("rnn", "rnn-relu"), ("lstm", "gru", "sru")
FORGETS_ABOVE = 0.7  # the vanilla RNN's validation loss stays at or above 0.7 x chance
REMEMBERS_BELOW = 0.3  # the gated cell's falls below 0.3 x chance
# A gradient norm no healthy step of these small models comes near: clipped runs of the
# lesson peak in the tens. Above it the unclipped run has exploded even where it stays finite.
EXPLODED_NORM = 1e4
PROBED = 16  # probe sequences the gradient's reach is measured on
# Before training, the LSTM's share of the answer's gradient at the first marked step was
# 50-65 times the vanilla RNN's at T = 20 (seeds 0 and 1): the RNN's halves at every step back.
REACHES_FURTHER = 10


def check_forgetting(lesson: Lesson, steps: int) -> CheckResult:
    """At the longest distance T the lesson sets, after ``steps`` steps on the same batches, a
    vanilla RNN stays at or above 0.7 x chance while a gated cell (the LSTM) falls below 0.3 x
    chance. And before training, the gradient page's picture: the share of the answer's gradient
    that reaches the first marked step is at least REACHES_FURTHER times larger in the gated
    cell. (Once trained, both cells reshape their gradients, so the fresh networks show the
    difference that decides whether the far step can be learned at all.)"""
    if not isinstance(lesson.source, Task):
        return CheckResult(False, "the lesson trains on a corpus: it needs a memory task")
    vanilla, gated = runs_with_cells(lesson, VANILLA), runs_with_cells(lesson, GATED)
    if not (vanilla and gated):
        return CheckResult(False, f"it needs a vanilla RNN run and a gated run (LSTM); it has "
                                  f"{', '.join(run.name for run in lesson.runs)}")  # fmt: skip
    length = max([lesson.source.length, *set_lengths(lesson)])
    task = lesson_source(lesson, length)
    assert isinstance(task, Task)  # a task lesson's source at another length
    race = lesson_race([vanilla[0], gated[0]], task, steps)
    forgetful, remembering = race.lanes
    (faded, distance), (kept, _) = (_marked_gradient(lane, task) for lane in race.lanes)
    race_to_the_end(race)
    chance = task.spec.chance
    forgets = final_loss(forgetful) / chance
    remembers = final_loss(remembering) / chance
    further = kept / faded if faded > 0 else math.inf
    passed = (forgets >= FORGETS_ABOVE and remembers < REMEMBERS_BELOW
              and further >= REACHES_FURTHER)  # fmt: skip
    return CheckResult(passed, f"T = {length}, {steps} steps each: {forgetful.name} "
                               f"{forgets:.2f} x chance (needs >= {FORGETS_ABOVE}), "
                               f"{remembering.name} {remembers:.2f} x chance (needs < "
                               f"{REMEMBERS_BELOW}); before training the answer's gradient at "
                               f"the first marked step ({distance} steps back): "
                               f"{forgetful.name} {number(faded)}, {remembering.name} "
                               f"{number(kept)}, {further:.0f} times more (needs >= "
                               f"{REACHES_FURTHER})")  # fmt: skip


def _marked_gradient(lane: Lane, task: Task) -> tuple[float, int]:
    """‖∂L/∂h‖ at the first marked step over that at the answer: the share of the answer's
    gradient that reaches what the answer depends on. The median over PROBED sequences (the
    first ones the gradient page shows), and the median distance back of that step."""
    shares, distances = [], []
    for index in range(PROBED):
        result = probe_task(lane.trainer.model, task, index)
        norms = result.layers[-1].gradient_norms
        assert result.marks is not None  # a task's probe marks what the answer depends on
        first = int(np.flatnonzero(result.marks)[0])
        shares.append(norms[first] / norms[-1] if norms[-1] > 0 else math.nan)
        distances.append(len(norms) - 1 - first)
    return float(np.median(shares)), int(np.median(distances))


def check_exploding(lesson: Lesson, steps: int) -> CheckResult:
    """The run without clipping explodes: it diverges (a loss or gradient stops being finite)
    or its gradient norm passes EXPLODED_NORM, within ``steps`` steps; the run clipped by norm,
    otherwise the same, stays finite. A run clipped by value is measured beside them."""
    unclipped = [run for run in lesson.runs if run.train.get("clip") == "none"]
    by_norm = [run for run in lesson.runs if run.train.get("clip") == "norm"]
    if not (unclipped and by_norm):
        return CheckResult(False, "it needs a run with clip = \"none\" and one with clip = "
                                  f"\"norm\"; it has {', '.join(run.name for run in lesson.runs)}")
    source = lesson_source(lesson)
    race = race_to_the_end(lesson_race(list(lesson.runs), source, steps))
    lanes = {lane.name: lane for lane in race.lanes}
    wild, tamed = lanes[unclipped[0].name], lanes[by_norm[0].name]
    exploded = bool(wild.diverged) or peak_grad_norm(wild) > EXPLODED_NORM
    stays_finite = not tamed.diverged and math.isfinite(final_loss(tamed))
    described = "; ".join(_describe(lane, source) for lane in race.lanes)
    return CheckResult(exploded and stays_finite, f"{steps} steps: {described}")


def _describe(lane: Lane, source: Corpus | Task) -> str:
    config = lane.trainer.config
    clipping = "clip none" if config.clip == "none" else f"clip {config.clip} {config.clip_value:g}"
    peak = f"peak gradient norm {number(peak_grad_norm(lane))}"
    if lane.diverged:
        return f"{lane.name} ({clipping}): diverged at step {lane.steps + 1}, {peak}"
    loss = final_loss(lane)
    shown = (f"{loss / source.spec.chance:.2f} x chance" if isinstance(source, Task)
             else f"{number(loss)} nats")  # fmt: skip
    return f"{lane.name} ({clipping}): validation {shown}, {peak}"
