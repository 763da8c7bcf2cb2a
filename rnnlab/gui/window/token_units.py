"""Word and BPE units in the window: learned in a pool thread as soon as one is chosen, so the
model panel can count the run's parameters and the corpus panel show the unit's facts before Train
is pressed; and each run's reading of the corpus, for its samples and probes.

The readings are the training controller's (``rnnlab.core.token_readings``): a run built before
its unit has finished learning waits for the same learning in the training thread, never starts
another.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, Slot

from rnnlab.core.corpus import Corpus
from rnnlab.core.token_corpus import TokenCorpus, line_mode_refusal
from rnnlab.core.token_facts import reading_facts
from rnnlab.core.tokens import TokenUnit
from rnnlab.gui.training.loading import Job
from rnnlab.gui.window.layout import VALIDATION_FRACTION

if TYPE_CHECKING:
    from rnnlab.core.token_readings import UnitReadings
    from rnnlab.gui.window.layout import WindowParts
    from rnnlab.gui.window.runs import Run

CHOICE_SETTLES_MS = 400


class TokenUnits(QObject):
    """``learned(tokens, reading)`` when a unit of the shown corpus is ready."""

    learned = Signal(str, object)  # ("bpe:500", the TokenCorpus)
    failed = Signal(str)
    _settled = Signal(tuple)  # from pool threads: (tokens, fingerprint, reading)

    def __init__(
        self, readings: UnitReadings, parts: WindowParts, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._readings, self._parts = readings, parts
        self._corpus: Corpus | None = None
        self._asked: set[tuple[str, str, float]] = set()  # (fingerprint, tokens, fraction)
        self._settled.connect(self._on_settled)
        self.failed.connect(self._forget_asked)  # choosing the unit again tries again
        # A unit chosen in the model panel is learned once the choice rests: each arrow step of
        # the merges would otherwise start a learning of its own (seconds each, kept).
        self._chosen = "char"
        self._settle_timer = QTimer(self, singleShot=True, interval=CHOICE_SETTLES_MS)
        self._settle_timer.timeout.connect(self._prepare_chosen)
        parts.model_panel.tokenUnitChosen.connect(self._on_chosen)

    @Slot(str)
    def _on_chosen(self, tokens: str) -> None:
        self._chosen = tokens
        corpus = self._corpus
        waits = corpus is not None and TokenUnit.parse(tokens).kind != "char"
        if (
            not waits
            or corpus.line_mode
            or self._readings.peek(corpus, tokens, VALIDATION_FRACTION)
        ):  # nothing to learn: shown at once
            self._settle_timer.stop()
            self.prepare(tokens)
            return
        self._parts.corpus_panel.unitFacts.show_learning(TokenUnit.parse(tokens).label)
        self._settle_timer.start()

    @Slot()
    def _prepare_chosen(self) -> None:
        self.prepare(self._chosen)

    def set_corpus(self, corpus: Corpus | None) -> None:
        """The text the window shows (None: a task, whose symbols are its own); the unit the
        model panel shows starts learning on it."""
        self._corpus = corpus
        if corpus is not None:
            self.prepare(self._parts.model_panel.tokens())

    @Slot(str)
    def prepare(self, tokens: str, validation_fraction: float = VALIDATION_FRACTION) -> None:
        """Learn ``tokens`` on the shown text in a pool thread, if no one has; ``learned`` says
        when it is ready (at once when it already is)."""
        corpus = self._corpus
        if corpus is None:
            return
        unit = TokenUnit.parse(tokens)
        facts = self._parts.corpus_panel.unitFacts
        shown = tokens == self._parts.model_panel.tokens()  # the corpus panel's unit
        refusal = line_mode_refusal(corpus, unit)
        if refusal:
            if shown:  # training one would be refused: say so before Train is pressed
                facts.factsLabel.setText(refusal + ".")
            return
        ready = self._readings.peek(corpus, tokens, validation_fraction)
        if ready is not None:
            self._show(tokens, ready)
            return
        if shown:
            facts.show_learning(unit.label)
        key = (corpus.fingerprint, tokens, validation_fraction)
        if key in self._asked:
            return  # already learning
        self._asked.add(key)
        readings = self._readings

        def work() -> tuple[str, str, Corpus, float]:  # in a pool thread
            started = time.perf_counter()
            reading = readings.get(corpus, tokens, validation_fraction)
            return tokens, corpus.fingerprint, reading, time.perf_counter() - started

        QThreadPool.globalInstance().start(Job(work, self._settled, self.failed))

    def reading(self, run: Run) -> Corpus | None:
        """What ``run`` reads: the shown text in its unit, or None while the unit is learning
        (or on a task)."""
        return self.unit_reading(run.train_config.tokens, run.train_config.validation_fraction)

    def unit_reading(self, tokens: str, validation_fraction: float) -> Corpus | None:
        """The shown text in ``tokens``, or None while that unit is learning (or on a task)."""
        if self._corpus is None:
            return None
        return self._readings.peek(self._corpus, tokens, validation_fraction)

    @Slot(tuple)
    def _on_settled(self, settled: tuple[str, str, Corpus, float]) -> None:
        tokens, fingerprint, reading, seconds = settled
        self._asked = {key for key in self._asked if key[1] != tokens or key[0] != fingerprint}
        if self._corpus is not None and fingerprint == self._corpus.fingerprint:
            self._show(tokens, reading, seconds)

    def _show(self, tokens: str, reading: Corpus, seconds: float = 0.0) -> None:
        unit = TokenUnit.parse(tokens)
        if tokens == self._parts.model_panel.tokens():
            self._parts.corpus_panel.unitFacts.show_facts(reading_facts(reading, unit, seconds))
        if isinstance(reading, TokenCorpus):
            self._parts.model_panel.set_unit_vocabulary(tokens, len(reading.vocabulary))
            self.learned.emit(tokens, reading)

    @Slot(str)
    def _forget_asked(self, _message: str) -> None:
        self._asked.clear()
