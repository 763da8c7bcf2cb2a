"""Training a lesson's runs headless, for the checks that a built-in lesson still shows its point
(``rnnlab.core.lesson_checks``).

The runs are built from the lesson file as the window builds them (``LessonRun.configs``), on the
CPU, and raced by a budget of steps: a check must give the same verdict on every machine and
under any load, so nothing in it is measured against the wall clock.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from rnnlab.core.batching import TrainingData
from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.core.lesson import Lesson, LessonRun
from rnnlab.core.race import Lane, Race
from rnnlab.core.tasks import Task, find_task, model_shape_of
from rnnlab.core.token_corpus import learn_unit
from rnnlab.core.trainer import Trainer, new_trainer


@dataclass(frozen=True)
class CheckResult:
    """A lesson's claim, checked: whether it held, and what was measured, in one line."""

    passed: bool
    measured: str


@contextmanager
def one_thread() -> Iterator[None]:
    """PyTorch on one CPU thread for the duration, then as it was. How many threads add up a
    sum changes its last bits, and a run's path with them (the forgetting lesson's RNN ended
    at 1.00 x chance on two threads, 1.12 on one): on one thread the verdict no longer depends
    on the machine's core count. The checks' small models ran as fast on one thread as on two."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def lesson_source(lesson: Lesson, length: int | None = None) -> Corpus | Task:
    """What the lesson trains on: its task (at ``length`` if given) or its corpus, loaded."""
    if isinstance(lesson.source, Task):
        task = lesson.source
        return task if length is None else find_task(task.spec.name, length)
    return load_corpus(lesson.source)


def set_lengths(lesson: Lesson) -> list[int]:
    """The task lengths T the lesson's steps set on the distance control, in step order."""
    return [int(action.value) for step in lesson.steps for action in step.actions
            if action.kind == "set" and action.object_name == "taskLengthSpin"
            and action.value.isdigit()]  # fmt: skip


def set_values(lesson: Lesson, object_name: str) -> list[str]:
    """The values the lesson's steps give the control ``object_name``, in step order."""
    return [action.value for step in lesson.steps for action in step.actions
            if action.kind == "set" and action.object_name == object_name]  # fmt: skip


def run_trainer(
    run: LessonRun, source: Corpus | Task, data: TrainingData | None = None
) -> Trainer:
    """A fresh trainer for a lesson run, on the CPU: the budgets of the checks are sized for
    one, and a GPU's different arithmetic must not change a verdict."""
    model, train = run.configs(model_shape_of(source), task=isinstance(source, Task))
    if isinstance(source, Corpus) and train.tokens != "char":  # words or BPE pieces
        source = learn_unit(source, train.token_unit, train.validation_fraction)
        model = dataclasses.replace(model, vocab_size=len(source.vocabulary))
    return new_trainer(source, model, dataclasses.replace(train, device="cpu"), data=data)


def lesson_race(runs: list[LessonRun], source: Corpus | Task, steps: int) -> Race:
    """The runs raced for ``steps`` steps each. Runs batched alike share their batches, as
    a race in the window does, so they differ only in what the lesson sets apart."""
    lanes: list[Lane] = []
    shared: dict[tuple[object, ...], TrainingData] = {}
    for run in runs:
        _, train = run.configs(model_shape_of(source), task=isinstance(source, Task))
        key = (train.tokens, train.batch_size, train.seq_len, train.validation_fraction,
               train.eval_chars, train.seed)  # what the batches depend on (batching_for)
        trainer = run_trainer(run, source, shared.get(key))
        shared.setdefault(key, trainer.data)
        lanes.append(Lane(name=run.name, trainer=trainer))
    return Race(lanes, max_steps=steps)


def race_to_the_end(race: Race) -> Race:
    """Every lane trained to its budget (or until it diverges), each ending validated."""
    for _ in race.run():
        pass
    return race


def final_loss(lane: Lane) -> float:
    """The lane's last validation loss; NaN if it has none (it diverged before one)."""
    evaluations = lane.trainer.history.evaluations
    return float(evaluations[-1]["loss"]) if evaluations else math.nan


def peak_grad_norm(lane: Lane) -> float:
    """The largest gradient norm (before clipping) of the lane's steps; inf once one was not
    finite (the step that diverged is refused, so it is not in the history)."""
    norms = lane.trainer.history.grad_norms
    peak = float(norms.max()) if len(norms) else 0.0
    return math.inf if lane.diverged and "gradient" in lane.diverged else peak


def runs_with_cells(lesson: Lesson, cells: tuple[str, ...]) -> list[LessonRun]:
    """The lesson's runs whose cell is one of ``cells`` (a run that names none is an LSTM)."""
    return [run for run in lesson.runs if run.model.get("cell", "lstm") in cells]


def number(value: float) -> str:
    """A measured number for a one-line report: 3 significant digits, or 1e+05 form."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3g}"
