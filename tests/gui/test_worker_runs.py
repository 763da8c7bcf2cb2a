"""Several runs in the one training worker: turns, per-run requests, a run diverging alone."""

from __future__ import annotations

from typing import Any

import numpy as np
from test_worker import corpus, start, tiny_trainer  # noqa: F401  (fixtures)

from rnnlab.core.corpus import Corpus
from rnnlab.core.trainer import Trainer
from rnnlab.gui.training.requests import AddRun, Pause, Resume, StepOnce, StopRun


def _runs(start: Any, corpus: Corpus, count: int = 3, **options: Any) -> Any:
    builds = {run: (lambda: tiny_trainer(corpus)) for run in range(1, count + 1)}
    harness = start(runs=builds, **options)
    return harness


def test_runs_take_turns_and_every_step_arrives_tagged_with_its_run(start, corpus) -> None:
    harness = _runs(start, corpus, max_steps=12)
    recorder = harness.recorder
    harness.wait_until(lambda: recorder.finished)
    for run in (1, 2, 3):
        np.testing.assert_array_equal(recorder.steps_of(run), np.arange(1, 13))
    # Equal batches: the same characters seen at every step, run after run.
    np.testing.assert_array_equal(recorder.chars_of(1), recorder.chars_of(3))
    trainers = harness.worker.trainers
    assert sorted(trainers) == [1, 2, 3] and {t.step for t in trainers.values()} == {12}
    # The same seed and batches give the same losses (no dropout in the tiny model).
    losses = [np.concatenate([u.losses for u in recorder.updates if u.run == run])
              for run in (1, 3)]  # fmt: skip
    np.testing.assert_array_equal(losses[0], losses[1])


def test_one_run_pauses_steps_and_resumes_while_the_others_train(start, corpus) -> None:
    harness = _runs(start, corpus, count=2)
    recorder = harness.recorder
    harness.worker.submit(Pause(1))
    harness.wait_until(lambda: len(recorder.steps_of(2)) > len(recorder.steps_of(1)) + 5)
    paused_at = len(recorder.steps_of(1))
    harness.wait_until(lambda: len(recorder.steps_of(2)) > paused_at + 20)
    harness.snapshot()  # everything sent so far has arrived
    assert len(recorder.steps_of(1)) == paused_at  # run 1 waited
    harness.worker.submit(StepOnce(1))
    harness.wait_until(lambda: len(recorder.steps_of(1)) == paused_at + 1)
    harness.worker.submit(Resume(1))
    harness.wait_until(lambda: len(recorder.steps_of(1)) > paused_at + 5)
    harness.worker.submit(StopRun(2))
    harness.worker.submit(StopRun(1))
    harness.wait_until(lambda: recorder.finished)  # the last run stopped: the loop ends


def test_a_diverging_run_is_marked_and_the_others_go_on(start, corpus) -> None:
    def poisoned() -> Trainer:
        trainer = tiny_trainer(corpus)
        trainer.model.head.weight.register_hook(
            lambda gradient: gradient * float("inf") if trainer.step >= 3 else gradient
        )
        return trainer

    harness = start(runs={1: lambda: tiny_trainer(corpus), 2: poisoned}, max_steps=30)
    recorder = harness.recorder
    harness.wait_until(lambda: len(recorder.steps_of(1)) == 30)
    harness.snapshot()
    assert not recorder.finished  # the diverged run waits to be resumed or stopped
    assert (2, "diverged") in recorder.run_states and (1, "stopped") in recorder.run_states
    (notice,) = recorder.divergences
    assert (notice.run, notice.step) == (2, 4)
    np.testing.assert_array_equal(recorder.steps_of(1), np.arange(1, 31))
    np.testing.assert_array_equal(recorder.steps_of(2), np.arange(1, 4))


def test_a_run_added_while_training_joins_the_turns(start, corpus) -> None:
    harness = _runs(start, corpus, count=1)
    recorder = harness.recorder
    harness.wait_until(lambda: len(recorder.steps_of(1)) > 3)
    harness.worker.submit(AddRun(7, lambda: tiny_trainer(corpus)))
    harness.wait_until(lambda: len(recorder.steps_of(7)) > 3)
    assert recorder.steps_of(7)[0] == 1
