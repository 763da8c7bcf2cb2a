"""Runs while no thread trains them: kept trainers, opened checkpoints, and what the views need of
them (a probe, weights for sampling, a save), done without racing a training thread.

``TrainingController`` (``controller``) builds on this: a run is either here or in the worker.
"""

from __future__ import annotations

import copy
import dataclasses
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.probe_result import Inspection
from rnnlab.core.tasks import Task
from rnnlab.core.token_readings import UnitReadings
from rnnlab.core.tokens import Tokenizer
from rnnlab.gui.training.loading import Job
from rnnlab.gui.training.messages import describe_save_failure
from rnnlab.gui.training.requests import Request, SetClipping, SetLearningRate, SetProbe
from rnnlab.gui.training.signals import TrainingSignals

if TYPE_CHECKING:
    from rnnlab.core.batching import TrainingData
    from rnnlab.core.checkpoint import Checkpoint
    from rnnlab.core.models import CharModel
    from rnnlab.core.trainer import Trainer


class IdleRuns(TrainingSignals):
    # From pool threads: (run, generation, Inspection), so a probe of a model since replaced
    # (reset, or another checkpoint opened as the run) is dropped.
    _probed = Signal(tuple)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._idle: dict[int, Trainer] = {}  # touched only while no thread trains the run
        self._checkpoints: dict[int, Checkpoint] = {}  # opened, to be continued on Train
        self._shared_batches: dict[tuple, TrainingData] = {}  # new runs' batches, by batching
        self.readings = UnitReadings()  # the corpus in each word or BPE unit runs read
        self._saving: dict[str, set[int]] = {}  # path -> runs being saved there by the worker
        self._probe: SetProbe | None = None
        self._generation = 0  # counts model replacements
        self.current = 0  # the run the views show
        self._probed.connect(self._on_probed)

    def idle_runs(self) -> set[int]:
        """The runs kept here with a model (trained earlier, or opened)."""
        return set(self._idle) | set(self._checkpoints)

    def idle_has_model(self, run: int) -> bool:
        return run in self._idle or run in self._checkpoints

    def idle_train_config(self, run: int) -> TrainConfig | None:
        if run in self._idle:
            return self._idle[run].config
        checkpoint = self._checkpoints.get(run)
        return None if checkpoint is None else checkpoint.train_config

    def take_idle(self, run: int) -> tuple[Trainer | None, Checkpoint | None]:
        """Hand a run's trainer or checkpoint over (to a worker): it is no longer idle."""
        return self._idle.pop(run, None), self._checkpoints.pop(run, None)

    def keep_idle(self, run: int, trainer: Trainer) -> None:
        self._idle[run] = trainer

    def forget_idle(self, run: int) -> None:
        self._idle.pop(run, None)
        self._checkpoints.pop(run, None)

    def forget_all_idle(self) -> None:
        self._idle.clear()
        self._checkpoints.clear()

    def adopt_checkpoint(self, run: int, checkpoint: Checkpoint) -> None:
        """A loaded checkpoint as ``run``: Train continues it exactly where it stopped."""
        self.forget_idle(run)
        self._checkpoints[run] = checkpoint
        self._generation += 1
        if run == self.current:
            self.probe_idle(run)

    def idle_model(self, run: int) -> tuple[CharModel | None, int, dict[str, float]]:
        """The run's model while no thread trains it, its step and gradient norms, or None."""
        if run in self._idle:
            trainer = self._idle[run]
            return trainer.model, trainer.step, trainer.group_grad_norms()
        if run in self._checkpoints:
            checkpoint = self._checkpoints[run]
            return checkpoint.model, checkpoint.step, {}
        return None, 0, {}

    def idle_tokenizer(self, run: int) -> Tokenizer | None:
        """An idle word or BPE run's tokenizer (None: characters, or no such run)."""
        if run in self._idle:
            return self._idle[run].data.tokenizer
        checkpoint = self._checkpoints.get(run)
        vocabulary = None if checkpoint is None else checkpoint.vocabulary
        return vocabulary if isinstance(vocabulary, Tokenizer) else None

    def emit_idle_snapshot(self, run: int) -> None:
        """Weights for sampling from an idle run (its model is not changing: safe to read)."""
        model, step, _ = self.idle_model(run)
        if model is None or not model.config.writes_text:
            return  # a task's answers are not sampled
        from rnnlab.core.stepping import NumpyStepper

        self.snapshotReady.emit(NumpyStepper.from_model(model), step, run)

    def probe_idle(self, run: int) -> None:
        """Probe a copy of an idle run's model in a pool thread; Train may start meanwhile."""
        model, step, norms = self.idle_model(run)
        if model is None or self._probe is None:
            return
        probe, tokenizer = self._probe, self.idle_tokenizer(run)
        model = copy.deepcopy(model)  # no thread trains it now; the copy is the pool's own
        generation = self._generation

        def work() -> tuple[int, int, SetProbe, Inspection]:
            from rnnlab.gui.training.probing import inspect_request

            inspection = inspect_request(model, probe, step, norms, tokenizer=tokenizer)
            return run, generation, probe, inspection

        QThreadPool.globalInstance().start(Job(work, self._probed, self.probeFailed))

    def save_idle(self, run: int, path: str, corpus: Corpus | Task) -> bool:
        """Write an idle run's checkpoint here; False (and ``failed``) if it cannot be."""
        trainer, checkpoint = self._idle.get(run), self._checkpoints.get(run)
        if trainer is None and checkpoint is None:
            self.failed.emit("there is no trained model to save yet")
            return False
        from rnnlab.core.checkpoint import save_checkpoint

        try:
            if trainer is not None:
                save_checkpoint(trainer, corpus, path)
            elif checkpoint is not None and Path(path).resolve() != checkpoint.path.resolve():
                # Opened and not trained since: the file on disk is the run; copy it.
                shutil.copyfile(checkpoint.path, path)
        except Exception as error:
            self.failed.emit(describe_save_failure(path, error))
            return False
        return True

    def live_changes(self, run: int, config: TrainConfig) -> list[Request]:
        """Settings edited while the run was stopped, as requests: served once it is built, they
        apply as live changes, recorded in its history and marked on the plots."""
        previous = self.idle_train_config(run)
        if previous is None:
            return []
        changes: list[Request] = []
        if previous.learning_rate != config.learning_rate:
            changes.append(SetLearningRate(config.learning_rate, run))
        if (previous.clip, previous.clip_value) != (config.clip, config.clip_value):
            changes.append(SetClipping(config.clip, config.clip_value, run))
        return changes

    def builder(
        self, run: int, corpus: Corpus | Task, model_config: ModelConfig, train_config: TrainConfig
    ) -> Callable[[], Trainer]:
        """What makes the run's trainer in the worker thread: the kept one, its checkpoint
        resumed, or a new one. New runs with the same batching share one set of batches (a
        race's runs see the same text in the same order). A task run kept or resumed at another
        distance T goes on at the window's T (see ``TrainingController.start``)."""
        kept, checkpoint = self.take_idle(run)
        shared = self._shared_batches
        text = corpus if isinstance(corpus, Corpus) else None

        def batches(source: Corpus | Task, config: TrainConfig) -> TrainingData:
            from rnnlab.core.trainer import batching_for

            key = (source.fingerprint, config.tokens, config.batch_size, config.seq_len,
                   config.validation_fraction, config.eval_chars, config.seed)  # fmt: skip
            if key not in shared:
                shared[key] = batching_for(source, config)
            return shared[key]

        def build() -> Trainer:  # runs in the worker thread
            # A task run kept or resumed at another T goes on at the window's T through the
            # SwitchTaskLength the controller sends once it is built: then the change is news
            # to the window, and marked on the run's curve.
            if kept is not None:
                return kept
            if checkpoint is not None:
                from rnnlab.core.resume import resume_trainer

                # A word or BPE run's text, cut with its tokens when it was opened: not again.
                tokens, read = checkpoint.vocabulary, None
                if text is not None and isinstance(tokens, Tokenizer):
                    fraction = checkpoint.train_config.validation_fraction
                    read = self.readings.peek(text, tokens.unit.name, fraction)
                trainer, _ = resume_trainer(
                    checkpoint, read or text, device=train_config.device,
                    threads=train_config.threads,
                )  # fmt: skip
                return trainer
            from rnnlab.core.trainer import new_trainer

            source, model = corpus, model_config
            if text is not None and train_config.tokens != "char":
                # Words or BPE pieces: learned here if the window's prefetch has not finished.
                source = self.readings.get(text, train_config.tokens,
                                           train_config.validation_fraction)  # fmt: skip
                model = dataclasses.replace(model, vocab_size=len(source.vocabulary))
            return new_trainer(source, model, train_config, data=batches(source, train_config))

        return build

    def probe_idle_runs(self, runs: Iterable[int]) -> None:
        """Probe each of ``runs`` that has a model and no thread trains (the shown run first,
        so the full views are served first): the inspector draws the others' latest curves too."""
        ordered = sorted(set(runs), key=lambda run: run != self.current)
        for run in ordered:
            self.probe_idle(run)

    @Slot(tuple)
    def _on_probed(self, result: tuple[int, int, SetProbe, Inspection]) -> None:
        run, generation, probe, inspection = result
        # Pool threads finish in any order: a probe of an earlier text or sequence must not
        # replace one of the text the user asked for since.
        if generation != self._generation or probe is not self._probe:
            return
        self.runInspected.emit(run, inspection)
        if run == self.current:
            self.inspected.emit(inspection)
