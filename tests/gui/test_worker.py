"""The training worker in a real QThread, on a real tiny trainer.

Every wait is on a condition the window's thread can see (what the recorder has received), with
a timeout; nothing sleeps. The worker's signals go to a recorder QObject living in this thread:
a lambda would run in the training thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, Slot

from rnnlab.core.checkpoint import load_checkpoint
from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.core.stepping import NumpyStepper
from rnnlab.core.trainer import Trainer, new_trainer
from rnnlab.gui.training.messages import GPU_OUT_OF_MEMORY, DivergenceNotice, TrainingUpdate
from rnnlab.gui.training.requests import (
    AddRun,
    Pause,
    Resume,
    SaveCheckpoint,
    SetClipping,
    SetLearningRate,
    SetProbe,
    StepOnce,
    Stop,
    StopRun,
    TakeSnapshot,
)
from rnnlab.gui.training.worker import TrainingWorker

REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 10_000  # generous: a loaded CI machine; a passing test returns long before


class Recorder(QObject):
    """Keeps everything the worker sends; lives in the test's (the window's) thread."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[TrainingUpdate] = []
        self.states: list[str] = []
        self.run_states: list[tuple[int, str]] = []
        self.divergences: list[DivergenceNotice] = []
        self.failures: list[str] = []
        self.snapshots: list[tuple[NumpyStepper, int]] = []
        self.saved_paths: list[str] = []
        self.inspections: list[Any] = []  # the followed run's (inspected)
        self.run_inspections: list[tuple[int, Any]] = []  # every run's (runInspected)
        self.probe_failures: list[str] = []
        self.finished = False

    @Slot(object)
    def on_updated(self, update: TrainingUpdate) -> None:
        self.updates.append(update)

    @Slot(str)
    def on_state(self, state: str) -> None:
        self.states.append(state)

    @Slot(int, str)
    def on_run_state(self, run: int, state: str) -> None:
        self.run_states.append((run, state))

    @Slot(object)
    def on_diverged(self, notice: DivergenceNotice) -> None:
        self.divergences.append(notice)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.failures.append(message)

    @Slot(object, int)
    def on_snapshot(self, stepper: NumpyStepper, step: int) -> None:
        self.snapshots.append((stepper, step))

    @Slot(str)
    def on_saved(self, path: str) -> None:
        self.saved_paths.append(path)

    @Slot(object)
    def on_inspected(self, inspection: Any) -> None:
        self.inspections.append(inspection)

    @Slot(int, object)
    def on_run_inspected(self, run: int, inspection: Any) -> None:
        self.run_inspections.append((run, inspection))

    @Slot(str)
    def on_probe_failed(self, message: str) -> None:
        self.probe_failures.append(message)

    @Slot()
    def on_finished(self) -> None:
        self.finished = True

    @property
    def steps(self) -> np.ndarray:
        return np.concatenate([update.steps for update in self.updates] or [np.zeros(0, int)])

    @property
    def last_step(self) -> int:
        return self.updates[-1].step if self.updates else 0

    def steps_of(self, run: int) -> np.ndarray:
        updates = [update.steps for update in self.updates if update.run == run]
        return np.concatenate(updates) if updates else np.zeros(0, int)

    def chars_of(self, run: int) -> np.ndarray:
        updates = [update.chars for update in self.updates if update.run == run]
        return np.concatenate(updates) if updates else np.zeros(0, int)

    @property
    def learning_rates(self) -> np.ndarray:
        return np.concatenate([update.learning_rates for update in self.updates])


@dataclass
class Harness:
    worker: TrainingWorker
    thread: QThread
    recorder: Recorder
    qtbot: Any

    def wait_until(self, condition: Callable[[], Any], timeout: int = WAIT_MS) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    def snapshot(self) -> tuple[NumpyStepper, int]:
        """A round trip through the training thread: every update sent before it has arrived."""
        count = len(self.recorder.snapshots)
        self.worker.submit(TakeSnapshot())
        self.wait_until(lambda: len(self.recorder.snapshots) > count)
        return self.recorder.snapshots[-1]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus("sonnets")


def tiny_trainer(corpus: Corpus) -> Trainer:
    model_config = ModelConfig(
        vocab_size=len(corpus.vocabulary), hidden_size=24, layers=1, embedding_size=8
    )
    train_config = TrainConfig(
        batch_size=4, seq_len=16, eval_every=20, eval_chars=500, threads=1, device="cpu"
    )
    return new_trainer(corpus, model_config, train_config)


@pytest.fixture
def start(qtbot: Any, corpus: Corpus) -> Iterator[Callable[..., Harness]]:
    """Start a worker thread; at teardown, stop it and check the thread has ended."""
    harnesses: list[Harness] = []

    def start_worker(build: Callable[[], Trainer] | None = None, **options: Any) -> Harness:
        worker = TrainingWorker(build or (lambda: tiny_trainer(corpus)), **options)
        thread = QThread()
        recorder = Recorder()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.updated.connect(recorder.on_updated)
        worker.stateChanged.connect(recorder.on_state)
        worker.runStateChanged.connect(recorder.on_run_state)
        worker.diverged.connect(recorder.on_diverged)
        worker.failed.connect(recorder.on_failed)
        worker.snapshotReady.connect(recorder.on_snapshot)
        worker.saved.connect(recorder.on_saved)
        worker.inspected.connect(recorder.on_inspected)
        worker.runInspected.connect(recorder.on_run_inspected)
        worker.probeFailed.connect(recorder.on_probe_failed)
        worker.finished.connect(recorder.on_finished)
        worker.finished.connect(thread.quit)
        harness = Harness(worker, thread, recorder, qtbot)
        harnesses.append(harness)
        thread.start()
        return harness

    yield start_worker
    for harness in harnesses:
        harness.worker.submit(Stop())
        harness.wait_until(lambda harness=harness: harness.recorder.finished)
        harness.thread.quit()
        harness.thread.wait(5000)
        assert not harness.thread.isRunning()


def test_every_step_arrives_once_in_order_with_evaluations_and_throttled(start) -> None:
    harness = start(max_steps=300)
    recorder = harness.recorder
    harness.wait_until(lambda: recorder.finished)
    assert recorder.failures == []
    assert recorder.states == ["running", "stopped"]
    np.testing.assert_array_equal(recorder.steps, np.arange(1, 301))
    evaluations = [item for update in recorder.updates for item in update.evaluations]
    assert [step for step, _ in evaluations] == list(range(20, 301, 20))
    assert all(np.isfinite(loss) and loss > 0 for _, loss in evaluations)
    # About 30 updates a second, not one per step.
    assert len(recorder.updates) <= 300 / 2
    for update in recorder.updates:
        count = len(update.steps)
        assert update.steps.dtype == np.int64
        assert update.losses.shape == update.grad_norms.shape == (count,)
        assert update.clipped.shape == update.learning_rates.shape == (count,)
        assert update.clipped.dtype == bool
        if count:
            assert update.step == update.steps[-1]
            assert update.chars_per_second > 0
    elapsed = [update.elapsed for update in recorder.updates]
    assert elapsed == sorted(elapsed) and elapsed[-1] > 0
    assert harness.worker.trainer is not None and harness.worker.trainer.step == 300


def test_max_steps_ends_on_its_own(start) -> None:
    harness = start(max_steps=30)
    harness.wait_until(lambda: harness.recorder.finished)
    assert harness.recorder.last_step == 30
    assert harness.recorder.states[-1] == "stopped"


def test_time_budget_counts_training_time(start) -> None:
    harness = start(time_budget=0.3)
    harness.wait_until(lambda: harness.recorder.finished)
    assert harness.recorder.states == ["running", "stopped"]
    assert 0.3 <= harness.recorder.updates[-1].elapsed < 5.0


def test_pause_step_once_and_resume(start) -> None:
    harness = start()
    recorder = harness.recorder
    harness.wait_until(lambda: recorder.last_step >= 5)
    harness.worker.submit(Pause())
    harness.wait_until(lambda: "paused" in recorder.states)
    paused_at = recorder.last_step
    # Two round trips through the paused thread: no step in between.
    assert harness.snapshot()[1] == paused_at
    assert harness.snapshot()[1] == paused_at
    assert recorder.last_step == paused_at

    harness.worker.submit(StepOnce())
    harness.wait_until(lambda: recorder.last_step == paused_at + 1)
    assert harness.snapshot()[1] == paused_at + 1
    assert recorder.last_step == paused_at + 1
    assert recorder.states == ["running", "paused"]

    harness.worker.submit(Resume())
    harness.wait_until(lambda: recorder.last_step >= paused_at + 5)
    assert recorder.states == ["running", "paused", "running"]
    np.testing.assert_array_equal(recorder.steps, np.arange(1, len(recorder.steps) + 1))


def test_start_paused_waits_for_a_request(start) -> None:
    harness = start(start_paused=True)
    harness.wait_until(lambda: harness.recorder.states == ["paused"])
    assert harness.snapshot()[1] == 0
    harness.worker.submit(StepOnce())
    harness.wait_until(lambda: harness.recorder.last_step == 1)
    assert harness.snapshot()[1] == 1


def test_learning_rate_change_is_an_event_and_applies(start) -> None:
    harness = start()
    recorder = harness.recorder
    harness.wait_until(lambda: recorder.last_step >= 3)
    harness.worker.submit(SetLearningRate(-1.0))  # invalid: ignored, nothing fatal
    harness.worker.submit(SetLearningRate(1e-3))
    harness.wait_until(lambda: any(update.events for update in recorder.updates))
    events = [event for update in recorder.updates for event in update.events]
    assert [event.name for event in events] == ["learning_rate"]
    changed_at = events[0].step
    assert float(events[0].new) == 1e-3
    harness.wait_until(lambda: recorder.last_step >= changed_at + 3)
    steps, rates = recorder.steps, recorder.learning_rates
    assert np.all(rates[steps <= changed_at] == 3e-3)
    assert np.all(rates[steps > changed_at] == 1e-3)
    assert recorder.failures == []


def test_clipping_change_is_an_event(start) -> None:
    harness = start(start_paused=True)
    harness.worker.submit(SetClipping("value", 0.5))
    harness.wait_until(lambda: any(update.events for update in harness.recorder.updates))
    (event,) = harness.recorder.updates[-1].events
    assert (event.name, event.old, event.new) == ("clipping", "norm 5", "value 0.5")


def test_snapshot_has_the_current_weights(start) -> None:
    harness = start()
    harness.wait_until(lambda: harness.recorder.last_step >= 3)
    stepper, step = harness.snapshot()
    assert isinstance(stepper, NumpyStepper)
    assert step >= 3 and harness.recorder.last_step == step  # updates came first
    logits, _ = stepper.step(np.array([0]), stepper.initial_states(1))
    assert logits.shape == (1, stepper.vocab_size)


def test_save_writes_a_loadable_checkpoint_and_a_failed_save_goes_on(
    start, corpus: Corpus, tmp_path: Path
) -> None:
    harness = start()
    recorder = harness.recorder
    harness.wait_until(lambda: recorder.last_step >= 2)
    path = tmp_path / "run.pt"
    harness.worker.submit(SaveCheckpoint(str(path), corpus))
    harness.wait_until(lambda: recorder.saved_paths)
    assert recorder.saved_paths == [str(path)]
    checkpoint = load_checkpoint(path)
    assert checkpoint.step >= 2

    (tmp_path / "a file").write_text("not a folder")
    bad = tmp_path / "a file" / "run.pt"
    harness.worker.submit(SaveCheckpoint(str(bad), corpus))
    harness.wait_until(lambda: recorder.failures)
    assert recorder.failures[0].startswith(f"could not save {bad}")
    after = recorder.last_step
    harness.wait_until(lambda: recorder.last_step > after + 2)  # still training
    assert not recorder.finished


def test_divergence_pauses_and_resume_goes_on(start, corpus: Corpus) -> None:
    poisoned = {"on": True}

    def build() -> Trainer:  # runs in the training thread
        trainer = tiny_trainer(corpus)

        def poison(gradient):
            if poisoned["on"] and trainer.step >= 4:
                return gradient * float("inf")
            return gradient

        trainer.model.head.weight.register_hook(poison)
        return trainer

    harness = start(build)
    recorder = harness.recorder
    harness.wait_until(lambda: recorder.divergences)
    (notice,) = recorder.divergences
    assert notice.step == 5 and "gradient" in notice.reason
    harness.wait_until(lambda: recorder.states == ["running", "paused"])
    assert harness.snapshot()[1] == 4  # the refused step did not count
    np.testing.assert_array_equal(recorder.steps, np.arange(1, 5))
    events = [event for update in recorder.updates for event in update.events]
    assert [(event.name, event.step) for event in events] == [("divergence", 5)]

    poisoned["on"] = False
    harness.worker.submit(SetLearningRate(1e-3))
    harness.worker.submit(Resume())
    harness.wait_until(lambda: recorder.last_step >= 8)
    assert recorder.steps[:8].tolist() == list(range(1, 9))
    assert len(recorder.divergences) == 1


def test_stop_ends_the_loop_quickly(start) -> None:
    harness = start()
    harness.wait_until(lambda: harness.recorder.last_step >= 3)
    started = time.perf_counter()
    harness.worker.submit(Stop())
    harness.wait_until(lambda: harness.recorder.finished, timeout=2000)
    assert time.perf_counter() - started < 2.0
    assert harness.recorder.states[-1] == "stopped"
    assert harness.recorder.failures == []


def test_out_of_memory_is_one_line_and_ends(start) -> None:
    def build() -> Trainer:
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB\nmore details")

    harness = start(build)
    harness.wait_until(lambda: harness.recorder.finished)
    assert harness.recorder.failures == [GPU_OUT_OF_MEMORY]
    assert harness.recorder.states == ["stopped"]
    assert harness.worker.trainer is None


def test_an_unexpected_error_is_reported_not_raised(start) -> None:
    def build() -> Trainer:
        raise ValueError("boom")

    harness = start(build)
    harness.wait_until(lambda: harness.recorder.finished)
    assert harness.recorder.failures == ["training stopped: ValueError: boom"]


# ---- probes --------------------------------------------------------------------------------


def test_probes_while_training_follow_the_live_weights_and_arrive_after_their_steps(
    start, corpus: Corpus
) -> None:
    text = corpus.text[-120:]
    harness = start(max_steps=200)
    harness.worker.submit(SetProbe(corpus.vocabulary, text))
    recorder = harness.recorder
    harness.wait_until(lambda: recorder.finished)
    assert recorder.probe_failures == []
    inspections = recorder.inspections
    assert len(inspections) >= 2
    steps = [inspection.step for inspection in inspections]
    assert steps == sorted(steps) and steps[-1] > steps[0]
    for inspection in inspections:
        assert inspection.probe.input_text == text[:-1]
        assert inspection.probe.layers[0].gates["h"].shape == (len(text) - 1, 24)
        assert inspection.spectral_norms and all(value > 0 for value in inspection.spectral_norms)
    # Each probe follows its steps' update: the window has the loss of the probed weights.
    assert all(inspection.step <= recorder.last_step for inspection in inspections)
    trained = [inspection for inspection in inspections if inspection.step > 0]
    assert set(trained[0].group_grad_norms) == {
        "embedding", "layer 1 input", "layer 1 recurrent", "output"
    }  # fmt: skip
    # Scheduled probes, not one per step (they are cheap here, but capped at MAX_RATE a second).
    assert harness.worker.probe_schedule.probes < 200


def test_a_single_step_while_paused_is_probed_and_a_bad_probe_text_does_not_stop_training(
    start, corpus: Corpus
) -> None:
    harness = start(start_paused=True)
    recorder = harness.recorder
    harness.worker.submit(SetProbe(corpus.vocabulary, "From fairest creatures"))
    harness.wait_until(lambda: recorder.inspections)  # served at once: the starting weights
    assert recorder.inspections[-1].step == 0
    harness.worker.submit(StepOnce())
    harness.wait_until(lambda: recorder.inspections[-1].step == 1)
    harness.worker.submit(SetProbe(corpus.vocabulary, "naïve ☃ text"))
    harness.wait_until(lambda: recorder.probe_failures)
    assert "does not know" in recorder.probe_failures[0] and "'☃'" in recorder.probe_failures[0]
    count = len(recorder.inspections)
    harness.worker.submit(Resume())
    harness.wait_until(lambda: recorder.last_step >= 20)
    assert recorder.failures == [] and len(recorder.inspections) == count  # probing is off


def test_an_unknown_request_is_refused_where_it_is_made(corpus: Corpus) -> None:
    """A request the training thread cannot serve raises in the caller's thread at once,
    instead of vanishing in the queue."""
    worker = TrainingWorker(lambda: tiny_trainer(corpus))
    for wrong in ("pause", ("learning_rate", 1e-3), None):
        with pytest.raises(TypeError, match="not a training request"):
            worker.submit(wrong)  # type: ignore[arg-type]
    worker.submit(Pause())  # a real request is queued


# ---- several runs in the one worker: turns, per-run requests, a run diverging alone ----


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
