"""A corpus read in each token unit that runs use, learned once and shared between threads.

Learning BPE-1,000 on tinyshakespeare takes a second or two, and cutting the text into tokens
as long again: too long to do twice, and too long for the window's thread. The window asks for a
unit's reading in a pool thread as soon as the unit is chosen (the corpus panel shows its facts),
and the training thread asks again when it builds a run; whichever asks second waits for the first
to finish rather than learning it again.
"""

from __future__ import annotations

import threading

from rnnlab.core.corpus import Corpus
from rnnlab.core.token_corpus import TokenCorpus, learn_unit
from rnnlab.core.tokens import TokenUnit

Key = tuple[str, str, float]  # (corpus fingerprint, unit name, validation fraction)


class UnitReadings:
    """Each (corpus, unit, validation fraction)'s reading; those of one corpus at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readings: dict[Key, Corpus] = {}
        self._learning: dict[Key, threading.Lock] = {}  # held while a thread learns that key

    def get(self, corpus: Corpus, tokens: str, validation_fraction: float) -> Corpus:
        """``corpus`` read in ``tokens`` ("char", "word", "bpe:K"), learned on its training split
        if no thread has yet. Blocks while it learns (or while another thread learns it).
        Raises ConfigError as ``learn_unit`` does (a line-mode corpus, say)."""
        unit = TokenUnit.parse(tokens)
        if unit.kind == "char":
            return corpus
        key = (corpus.fingerprint, unit.name, float(validation_fraction))
        with self._lock:
            # Another corpus's readings are of no more use: keep memory to the one shown.
            for old in [old for old in self._readings if old[0] != key[0]]:
                del self._readings[old]
            learning = self._learning.setdefault(key, threading.Lock())
        with learning:
            with self._lock:
                reading = self._readings.get(key)
            if reading is None:
                learned = learn_unit(corpus, unit, validation_fraction)
                with self._lock:  # one put meanwhile (an opened run's own tokens) stays
                    reading = self._readings.setdefault(key, learned)
            with self._lock:
                self._learning.pop(key, None)
            return reading

    def put(self, corpus: Corpus, validation_fraction: float, reading: TokenCorpus) -> None:
        """Keep a reading made elsewhere: an opened word or BPE run's text, cut with the
        tokens and merges its checkpoint stores (learning them again could differ)."""
        key = (corpus.fingerprint, reading.tokenizer.unit.name, float(validation_fraction))
        with self._lock:
            self._readings[key] = reading

    def peek(self, corpus: Corpus, tokens: str, validation_fraction: float) -> Corpus | None:
        """The reading if it is learned (the corpus itself for characters), else None."""
        unit = TokenUnit.parse(tokens)
        if unit.kind == "char":
            return corpus
        with self._lock:
            return self._readings.get((corpus.fingerprint, unit.name, float(validation_fraction)))
