"""Loading corpora and checkpoints off the GUI thread (a 100 MB text or torch's first import
would freeze the window)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot

from rnnlab.core.corpus import Corpus
from rnnlab.core.errors import RnnlabError
from rnnlab.core.stepping import NumpyStepper

if TYPE_CHECKING:
    from rnnlab.core.checkpoint import Checkpoint


@dataclass(frozen=True)
class LoadedCheckpoint:
    """A checkpoint read in a pool thread, with its corpus and a copy of its weights."""

    checkpoint: Checkpoint  # its model is touched by no thread until Train continues it
    corpus: Corpus  # the text it was trained on, checked unchanged
    snapshot: NumpyStepper  # its weights, for sampling


class Job(QRunnable):
    """Run ``work`` in a pool thread; its result or error message arrives by signal."""

    def __init__(
        self, work: Callable[[], object], done: SignalInstance, failed: SignalInstance
    ) -> None:
        super().__init__()
        self.work, self.done, self.failed = work, done, failed

    def run(self) -> None:  # in a pool thread; the signals queue to the GUI thread
        try:
            result = self.work()
        except RnnlabError as error:
            self.failed.emit(str(error))
        except Exception as error:
            self.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.done.emit(result)


class Loader(QObject):
    corpusLoaded = Signal(Corpus)
    checkpointLoaded = Signal(LoadedCheckpoint)
    devicesListed = Signal(list)  # [(name, label)] of the devices torch sees, best first
    failed = Signal(str)

    @Slot(str)
    def load_corpus(self, source: str, encoding: str | None = None) -> None:
        from rnnlab.core.corpus import load_corpus

        job = Job(lambda: load_corpus(source, encoding=encoding), self.corpusLoaded, self.failed)
        QThreadPool.globalInstance().start(job)

    @Slot()
    def list_devices(self) -> None:
        def work() -> list[tuple[str, str]]:
            from rnnlab.core.device import available_devices

            return available_devices()

        QThreadPool.globalInstance().start(Job(work, self.devicesListed, self.failed))

    @Slot(str)
    def load_checkpoint(self, path: str) -> None:
        def work() -> LoadedCheckpoint:
            from rnnlab.core.checkpoint import load_checkpoint, training_corpus

            checkpoint = load_checkpoint(path)
            corpus = training_corpus(checkpoint)
            # No one trains this model yet: this pool thread may copy its weights.
            return LoadedCheckpoint(checkpoint, corpus, NumpyStepper.from_model(checkpoint.model))

        QThreadPool.globalInstance().start(Job(work, self.checkpointLoaded, self.failed))
