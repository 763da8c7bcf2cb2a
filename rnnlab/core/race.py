"""A race: several runs trained in turns in one thread, on the same batches, with a fair share each.

Why turns in one thread rather than a thread per run: on a 2-core machine two PyTorch threads
collapse to a fraction of one thread's speed as soon as the window needs a core (see the notes on
threads). Turns keep one core busy and let the runs advance side by side.

Fairness: with a time budget, or none, the next turn goes to the run that has trained the
fewest seconds in this race (seconds in its own training steps: validation and probes excluded),
so every run gets the same share of training time, and a fast cell takes more steps in it. With
a step budget the next turn goes to the run with the fewest steps.

Every run in a race is built from the same seed and shares one ``TrainingData``: batch k is the
same text for every run. Runs of several token units (characters, words, BPE pieces) share the
batches of their unit, and every unit reads the same stretches of text in the same order. A run
that diverges drops out (marked, its weights those of its last good step); the others go on.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field

from rnnlab.core.batching import TrainingData
from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.race_sizes import EQUAL_CHOICES, hidden_size_for, race_models
from rnnlab.core.tasks import Task
from rnnlab.core.trainer import DivergenceReport, Report, StepReport, Trainer, new_trainer

__all__ = ["EQUAL_CHOICES", "Lane", "Race", "hidden_size_for", "new_race", "race_models"]

@dataclass
class Lane:
    """One run in a race and how far it has come in it."""

    name: str
    trainer: Trainer
    steps: int = 0  # steps taken in this race
    seconds: float = 0.0  # training seconds in this race
    paused: bool = False
    stopped: bool = False  # by the user, or its budget is spent
    diverged: str = ""  # why it dropped out, or "" while it has not
    reports: list[Report] = field(default_factory=list)  # of its latest turn

    @property
    def active(self) -> bool:
        return not (self.paused or self.stopped or self.diverged)


class Race:
    """Runs trained in turns; ``turn()`` gives one run one step (and its validation if due)."""

    def __init__(
        self,
        lanes: Sequence[Lane],
        *,
        max_steps: int | None = None,
        seconds: float | None = None,
    ) -> None:
        self.lanes = list(lanes)
        self.max_steps = max_steps  # per run
        self.seconds = seconds  # per run: its share of training time

    def add(self, lane: Lane) -> None:
        self.lanes.append(lane)

    def next_lane(self) -> Lane | None:
        """The active run that is furthest behind (by steps with a step budget, else seconds).

        A run that has just spent its budget is stopped and validated once more, unless its
        last step was validated already: every run ends with a validation at its last step.
        """
        for lane in self.lanes:
            if not lane.stopped and self._spent(lane):
                lane.stopped = True
                trainer, validations = lane.trainer, lane.trainer.history.evaluations
                validated = bool(validations) and validations[-1]["step"] == trainer.step
                if not lane.diverged and not validated:
                    lane.reports = [trainer.evaluate()]
        active = [lane for lane in self.lanes if lane.active]
        if not active:
            return None
        if self.max_steps is not None:
            return min(active, key=lambda lane: lane.steps)
        return min(active, key=lambda lane: lane.seconds)

    def turn(self, lane: Lane | None = None) -> Lane | None:
        """One step of ``lane`` (default: the next one) with its validation when due; its
        reports are in ``lane.reports``. None when no run can go on."""
        lane = lane or self.next_lane()
        if lane is None:
            return None
        trainer = lane.trainer
        before = trainer.training_seconds
        lane.reports = list(trainer.run(max_steps=1))
        for report in lane.reports:
            if isinstance(report, DivergenceReport):
                lane.diverged = report.reason
            elif isinstance(report, StepReport):
                lane.steps += 1
        # A format-1 run's seconds are unknown (NaN): count this step's time all the same.
        spent = trainer.training_seconds - before
        lane.seconds += spent if spent == spent else 0.0
        return lane

    def run(self) -> Generator[Lane, None, None]:
        """Turns until every run is done, paused or diverged."""
        while (lane := self.turn()) is not None:
            yield lane

    def _spent(self, lane: Lane) -> bool:
        if self.max_steps is not None and lane.steps >= self.max_steps:
            return True
        return self.seconds is not None and lane.seconds >= self.seconds


def new_race(
    corpus: Corpus | Task | Sequence[Corpus],
    models: Sequence[ModelConfig],
    config: TrainConfig,
    *,
    max_steps: int | None = None,
    seconds: float | None = None,
    names: Sequence[str] | None = None,
) -> Race:
    """Fresh runs of ``models`` with the same seed. ``corpus``: one for every run (they share
    one set of batches), or one per run: the same text in several units
    (``rnnlab.core.token_corpus``), where runs of one unit share batches and every unit reads the
    same stretches of text (``rnnlab.core.token_batching``). ``names``: the lanes' (default: the
    cells)."""
    corpora = list(corpus) if isinstance(corpus, Sequence) else [corpus] * len(models)
    if len(corpora) != len(models):
        raise ValueError("a race needs one corpus, or one for each model")
    lanes: list[Lane] = []
    shared: dict[int, TrainingData] = {}  # batches by corpus: one set per unit
    for index, (source, model) in enumerate(zip(corpora, models)):
        trainer = new_trainer(source, model, config, data=shared.get(id(source)))
        shared.setdefault(id(source), trainer.data)
        lanes.append(Lane(name=names[index] if names else model.cell, trainer=trainer))
    return Race(lanes, max_steps=max_steps, seconds=seconds)
