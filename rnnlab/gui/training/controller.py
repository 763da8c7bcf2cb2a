"""The training controller: one worker thread at a time, and what the window needs of it.

It owns the QThread and the TrainingWorker, builds trainers (in the worker thread, so importing
torch never freezes the window), re-emits the worker's signals (``TrainingSignals``: the window
connects once, here), asks for weight snapshots for sampling, and knows whether the model has
changed since it was last saved.

Between runs (after Stop, or a finished budget) the trainer is kept: Train continues it exactly.
Reset drops it; the next Train starts from fresh weights.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.core.corpus import Corpus
from rnnlab.core.probe_result import MIN_PROBE_CHARS, Inspection
from rnnlab.core.vocabulary import Vocabulary
from rnnlab.gui.training.loading import Job
from rnnlab.gui.training.messages import TrainingUpdate, describe_save_failure
from rnnlab.gui.training.requests import (
    Pause,
    ProbeNow,
    Resume,
    SaveCheckpoint,
    SetClipping,
    SetLearningRate,
    SetProbe,
    StepOnce,
    Stop,
    TakeSnapshot,
)
from rnnlab.gui.training.signals import FORWARDED, TrainingSignals
from rnnlab.gui.training.worker import TrainingWorker

if TYPE_CHECKING:
    from rnnlab.core.checkpoint import Checkpoint
    from rnnlab.core.models import CharModel
    from rnnlab.core.trainer import Trainer

SNAPSHOT_SECONDS = 2.0  # how often sampling gets fresh weights while training


class TrainingController(TrainingSignals):
    """The window's one handle on training; its signals are the worker's, in the window's thread.

    ``stateChanged`` also says "stopped" once the thread has ended, and ``inspected`` also
    carries probes of the idle model (made in a pool thread while nothing trains).
    """

    # From pool threads: (generation, Inspection), so a probe of a model since replaced is dropped
    _probed = Signal(tuple)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._trainer: Trainer | None = None  # kept between runs; touched only while no thread runs
        self._resume_from: Checkpoint | None = None  # a loaded checkpoint to continue from
        self.state = "stopped"
        self.dirty = False  # trained since the last save
        self.step = 0
        self._snapshot_timer = QTimer(self)
        self._snapshot_timer.setInterval(int(SNAPSHOT_SECONDS * 1000))
        self._snapshot_timer.timeout.connect(self.request_snapshot)
        self._probe: SetProbe | None = None
        self._generation = 0  # counts model replacements (reset, opened checkpoint)
        self._probed.connect(self._on_probed)

    # ---- state -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def has_model(self) -> bool:
        return self._trainer is not None or self._resume_from is not None or self.running

    # ---- commands ----------------------------------------------------------------------------

    def start(
        self,
        corpus: Corpus,
        model_config: ModelConfig,
        train_config: TrainConfig,
        *,
        max_steps: int | None = None,
        time_budget: float | None = None,
        start_paused: bool = False,
    ) -> None:
        """Train: continue the kept trainer or checkpoint, else build a fresh one."""
        if self.running:
            return
        previous = self._trainer.config if self._trainer is not None else None
        if previous is None and self._resume_from is not None:
            previous = self._resume_from.train_config
        build = self._builder(corpus, model_config, train_config)
        worker = TrainingWorker(
            build, max_steps=max_steps, time_budget=time_budget, start_paused=start_paused
        )
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # The controller's own bookkeeping first: queued in connection order, it has run by the
        # time the window hears the same signal re-emitted below.
        worker.updated.connect(self._on_updated)
        worker.stateChanged.connect(self._on_state)
        worker.saved.connect(self._on_saved)
        for name in FORWARDED:
            getattr(worker, name).connect(getattr(self, name))
        if self._probe is not None:
            worker.submit(self._probe)  # served first: the views show the starting weights
        # quit() straight from the worker thread: the thread's event loop then ends even while
        # the GUI thread is blocked in wait() (on close) and cannot deliver queued signals.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.finished.connect(self._on_finished)
        self._thread, self._worker = thread, worker
        if previous is not None:
            # Settings edited while stopped apply as live changes, recorded and marked.
            if previous.learning_rate != train_config.learning_rate:
                worker.submit(SetLearningRate(train_config.learning_rate))
            if (previous.clip, previous.clip_value) != (train_config.clip, train_config.clip_value):
                worker.submit(SetClipping(train_config.clip, train_config.clip_value))
        thread.start()
        self._snapshot_timer.start()

    def _builder(
        self, corpus: Corpus, model_config: ModelConfig, train_config: TrainConfig
    ) -> Callable[[], Trainer]:
        kept, checkpoint = self._trainer, self._resume_from
        self._resume_from = None

        def build() -> Trainer:  # runs in the worker thread
            if kept is not None:
                return kept  # continue the same run (see start() for edited settings)
            if checkpoint is not None:
                from rnnlab.core.checkpoint import resume_trainer

                trainer, _ = resume_trainer(
                    checkpoint, corpus, device=train_config.device, threads=train_config.threads
                )
                return trainer
            from rnnlab.core.trainer import new_trainer

            return new_trainer(corpus, model_config, train_config)

        return build

    def pause(self) -> None:
        if self._worker is not None:
            self._worker.submit(Pause())

    def resume(self) -> None:
        if self._worker is not None:
            self._worker.submit(Resume())

    def step_once(self) -> None:
        if self._worker is not None:
            self._worker.submit(StepOnce())

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.submit(Stop())

    def reset(self) -> None:
        """Forget the model; the next Train starts from new weights."""
        self.stop()
        self.wait(5000)
        # What the stopped worker sent before it ended is still queued for this object: drop it,
        # or its last steps would land on the cleared plots and mark the forgotten model unsaved.
        QCoreApplication.removePostedEvents(self, QEvent.Type.MetaCall)
        self._trainer = None
        self._resume_from = None
        self._generation += 1
        self.dirty = False
        self.step = 0

    @Slot(float)
    def set_learning_rate(self, value: float) -> None:
        if self._worker is not None:
            self._worker.submit(SetLearningRate(value))

    def set_clipping(self, mode: str, value: float) -> None:
        if self._worker is not None:
            self._worker.submit(SetClipping(mode, value))

    @Slot()
    def request_snapshot(self) -> None:
        if self._worker is not None:
            self._worker.submit(TakeSnapshot())

    @Slot(Vocabulary, str, object)
    def set_probe(self, vocabulary: Vocabulary, text: str, position: int | None = None) -> None:
        """Probe ``text`` from now on (connectivity at ``position``) and once right away."""
        request = SetProbe(vocabulary, text, position)
        self._probe = request if len(text) >= MIN_PROBE_CHARS else None
        if self._worker is not None:
            self._worker.submit(request)
        else:
            self.probe_now()

    @Slot()
    def probe_now(self) -> None:
        """One probe now: by the training thread while it runs, else of a copy in a pool thread."""
        if self._worker is not None:
            self._worker.submit(ProbeNow())
            return
        model, step, norms = self._idle_model()
        if model is None or self._probe is None:
            return
        probe = self._probe
        # No thread trains while stopped, so copying here is safe; the copy lets Train start at
        # once without racing the probe.
        model = copy.deepcopy(model)
        generation = self._generation

        def work() -> tuple[int, Inspection]:
            from rnnlab.core.inspection import inspect

            result = inspect(
                model, probe.vocabulary, probe.text, step=step,
                connectivity_position=probe.position, group_grad_norms=norms,
            )  # fmt: skip
            return generation, result

        QThreadPool.globalInstance().start(Job(work, self._probed, self.probeFailed))

    def probe_statistics(self) -> tuple[int, float] | None:
        """(scheduled probes, their share of training time) of the running worker, for
        benchmarks: read across threads without a lock, so approximate while it runs."""
        if self._worker is None:
            return None
        return self._worker.probe_statistics()

    def _idle_model(self) -> tuple[CharModel | None, int, dict[str, float]]:
        """The model while no thread trains it (kept trainer or opened checkpoint), or None."""
        if self._trainer is not None:
            return self._trainer.model, self._trainer.step, self._trainer.group_grad_norms()
        if self._resume_from is not None:
            return self._resume_from.model, self._resume_from.step, {}
        return None, 0, {}

    def save(self, path: str, corpus: Corpus) -> None:
        """Write a checkpoint: in the worker thread while it runs, else right here."""
        if self._worker is not None:
            self._worker.submit(SaveCheckpoint(path, corpus))
            return
        if self._trainer is None:
            self.failed.emit("there is no trained model to save yet")
            return
        from rnnlab.core.checkpoint import save_checkpoint

        try:
            save_checkpoint(self._trainer, corpus, path)
        except Exception as error:
            self.failed.emit(describe_save_failure(path, error))
            return
        self.dirty = False
        self.saved.emit(path)

    def adopt_checkpoint(self, checkpoint: Checkpoint) -> None:
        """A loaded checkpoint: Train continues it exactly where it stopped."""
        self.reset()
        self._resume_from = checkpoint
        self.step = checkpoint.step
        self.probe_now()

    def wait(self, milliseconds: int) -> bool:
        """Block until the worker thread has ended (used on close and reset)."""
        thread = self._thread
        if thread is None:
            return True
        finished = thread.wait(milliseconds)
        if finished:
            self._on_finished()
        return finished

    # ---- worker signals -------------------------------------------------------------------

    @Slot(TrainingUpdate)
    def _on_updated(self, update: TrainingUpdate) -> None:
        self.step = update.step
        self.dirty = True

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self.state = state
        if state == "paused":
            self.request_snapshot()  # sampling follows the weights the user is looking at

    @Slot(tuple)
    def _on_probed(self, result: tuple[int, Inspection]) -> None:
        generation, inspection = result
        if generation == self._generation:
            self.inspected.emit(inspection)

    @Slot(str)
    def _on_saved(self, path: str) -> None:
        self.dirty = False

    @Slot()
    def _on_finished(self) -> None:
        thread, worker = self._thread, self._worker
        if thread is None or worker is None:
            return
        self._snapshot_timer.stop()
        thread.quit()
        thread.wait()
        self._thread, self._worker = None, None
        if worker.trainer is not None:
            self._trainer = worker.trainer
            # The thread has ended, so reading the model here is safe: sampling gets the
            # final weights.
            from rnnlab.core.stepping import NumpyStepper

            self.snapshotReady.emit(
                NumpyStepper.from_model(self._trainer.model), self._trainer.step, 0
            )
        worker.deleteLater()
        thread.deleteLater()
        self.state = "stopped"
        self.stateChanged.emit("stopped")
        self.probe_now()  # the views show the final weights
