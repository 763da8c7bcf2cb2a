"""Loading corpora and checkpoints off the GUI thread (a 100 MB text or torch's first import
would freeze the window)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot

from rnnlab.core.corpus import Corpus
from rnnlab.core.errors import EncodingError, RnnlabError
from rnnlab.core.stepping import NumpyStepper
from rnnlab.core.tasks import Task

if TYPE_CHECKING:
    from rnnlab.core.checkpoint import Checkpoint
    from rnnlab.core.token_corpus import TokenCorpus


@dataclass(frozen=True)
class LoadedCheckpoint:
    """A checkpoint read in a pool thread, with its corpus and a copy of its weights."""

    checkpoint: Checkpoint  # its model is touched by no thread until Train continues it
    corpus: Corpus | Task  # the text it was trained on (checked unchanged), or its task
    snapshot: NumpyStepper | None  # its weights, for sampling; None for a task run
    # A word or BPE run's text cut with its checkpoint's own tokens and merges; else None.
    reading: TokenCorpus | None = None


@dataclass(frozen=True)
class NeedsEncoding:
    """A text that did not read in the encoding asked for (or in any its bytes tell)."""

    source: str  # the path, as asked for
    reason: str  # what reading it failed on (the engine's message without the CLI's advice)
    suggested: tuple[str, ...]  # encodings that read its first bytes cleanly, likeliest first


def describe_load_error(error: Exception) -> str:
    """One line for the user; the engine's own errors are already written for them."""
    if isinstance(error, RnnlabError):
        return str(error)
    return f"{type(error).__name__}: {error}"


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
        except Exception as error:
            self._deliver(self.failed, describe_load_error(error))
        else:
            self._deliver(self.done, result)

    @staticmethod
    def _deliver(signal: SignalInstance, value: object) -> None:
        # RuntimeError: the window closed while this worked, and no one is left to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


class Loader(QObject):
    """Corpora, checkpoints and the device list, each loaded in a pool thread.

    Each kind has its own failure signal, so a failed device list never reads as a failed text.
    Only the corpus asked for last counts: a text that arrives (or fails) after another was
    requested is dropped, so the window never ends up on the one it no longer wants.
    """

    corpusLoaded = Signal(Corpus)
    corpusFailed = Signal(str)
    corpusNeedsEncoding = Signal(NeedsEncoding)  # still loading until loaded again or given up
    checkpointLoaded = Signal(LoadedCheckpoint)
    checkpointFailed = Signal(str)
    devicesListed = Signal(list)  # [(name, label)] of the devices torch sees, best first
    devicesFailed = Signal(str)
    # From pool threads: (request number, Corpus or the error message)
    _corpusSettled = Signal(tuple)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._corpus_requests = 0  # corpora asked for so far
        self._corpus_settled = 0  # the number of the last one that arrived or failed
        self._corpusSettled.connect(self._on_corpus_settled)

    @property
    def loading_corpus(self) -> bool:
        """A corpus was asked for and has neither arrived nor failed."""
        return self._corpus_settled < self._corpus_requests

    @Slot(str)
    def load_corpus(self, source: str, encoding: str | None = None) -> None:
        from rnnlab.core.corpus import load_corpus

        self._corpus_requests += 1
        number = self._corpus_requests

        def work() -> tuple[int, Corpus | NeedsEncoding | str]:  # in a pool thread
            try:
                return number, load_corpus(source, encoding=encoding)
            except EncodingError as error:
                return number, NeedsEncoding(source, error.reason, error.suggested)
            except Exception as error:
                return number, describe_load_error(error)

        QThreadPool.globalInstance().start(Job(work, self._corpusSettled, self.corpusFailed))

    @Slot(tuple)
    def _on_corpus_settled(self, settled: tuple[int, Corpus | NeedsEncoding | str]) -> None:
        number, outcome = settled
        if number != self._corpus_requests:
            return  # another corpus was asked for since: this one is not wanted any more
        if isinstance(outcome, NeedsEncoding):  # the user picks one, or gives up (give_up)
            self.corpusNeedsEncoding.emit(outcome)
            return
        self._corpus_settled = number
        if isinstance(outcome, Corpus):
            self.corpusLoaded.emit(outcome)
        else:
            self.corpusFailed.emit(outcome)

    def give_up(self, message: str) -> None:
        """The corpus asked for last will not come (its encoding was not picked): say why."""
        self._corpus_settled = self._corpus_requests
        self.corpusFailed.emit(message)

    @Slot()
    def list_devices(self) -> None:
        def work() -> list[tuple[str, str]]:
            from rnnlab.core.device import available_devices

            return available_devices()

        QThreadPool.globalInstance().start(Job(work, self.devicesListed, self.devicesFailed))

    @Slot(str)
    def load_checkpoint(self, path: str) -> None:
        def work() -> LoadedCheckpoint:
            from rnnlab.core.checkpoint import load_checkpoint
            from rnnlab.core.resume import training_corpus
            from rnnlab.core.token_corpus import tokenize_corpus
            from rnnlab.core.tokens import Tokenizer

            checkpoint = load_checkpoint(path)
            if checkpoint.task is not None:  # a task run writes no text: nothing to sample
                return LoadedCheckpoint(checkpoint, checkpoint.task, None)
            corpus = training_corpus(checkpoint)
            reading = None
            if isinstance(checkpoint.vocabulary, Tokenizer):  # a word or BPE run's
                fraction = checkpoint.train_config.validation_fraction
                reading = tokenize_corpus(corpus, checkpoint.vocabulary, fraction)
            # No one trains this model yet: this pool thread may copy its weights.
            snapshot = NumpyStepper.from_model(checkpoint.model)
            return LoadedCheckpoint(checkpoint, corpus, snapshot, reading)  # type: ignore[arg-type]

        QThreadPool.globalInstance().start(Job(work, self.checkpointLoaded, self.checkpointFailed))
