"""Loading corpora and checkpoints off the GUI thread (a 100 MB text or torch's first import
would freeze the window)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from rnnlab.core.errors import RnnlabError

AUTO_DEVICE = ("auto", "Best available")  # (name, label): the device combo's first entry


class Job(QRunnable):
    """Run ``work`` in a pool thread; its result or error message arrives by signal."""

    def __init__(self, work: Callable[[], Any], done: Signal, failed: Signal) -> None:
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
    corpusLoaded = Signal(object)  # Corpus
    checkpointLoaded = Signal(object)  # (Checkpoint, Corpus, NumpyStepper of its weights)
    devicesListed = Signal(object)  # [(name, label)], best first
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

            return [AUTO_DEVICE, *available_devices()]

        QThreadPool.globalInstance().start(Job(work, self.devicesListed, self.failed))

    @Slot(str)
    def load_checkpoint(self, path: str) -> None:
        def work() -> tuple[Any, Any, Any]:
            from rnnlab.core.checkpoint import load_checkpoint, training_corpus
            from rnnlab.core.stepping import NumpyStepper

            checkpoint = load_checkpoint(path)
            corpus = training_corpus(checkpoint)
            # No one trains this model yet: this pool thread may copy its weights.
            return checkpoint, corpus, NumpyStepper.from_model(checkpoint.model)

        QThreadPool.globalInstance().start(Job(work, self.checkpointLoaded, self.failed))
