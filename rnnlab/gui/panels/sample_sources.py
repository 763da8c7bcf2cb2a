"""What the sample panel samples from: ``sampleSourceCombo`` picks the current run's network or an
n-gram model of the corpus, so a class can read Markov text beside the network's.

Both kinds are ``CharSampler``s (``rnnlab.core.sampling``): the panel calls the same methods on
either, and temperature, top-k and greedy work on an n-gram too.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox

from rnnlab.core.ngram_sampling import NgramSampler
from rnnlab.core.sampling import CharSampler

RUN = "current run"
RUN_TIP = "The network of the current run, as of its latest weights."


def ngram_tip(order: int) -> str:
    if order == 1:
        drawn = "each character drawn as often as it appears in the training text, whatever came "
        drawn += "before"
    else:
        context = "the character" if order == 2 else f"the {order - 1} characters"
        drawn = f"each character drawn given only {context} before it, as often as it followed "
        drawn += "them in the training text"
    return (
        f"Markov text: {drawn}. Compare it with the network's: an n-gram copies spelling well "
        "but forgets everything further back."
    )


class SampleSources(QObject):
    """The combo's entries and the sampler behind each; ``changed`` when the chosen one is
    another (the user chose, or the entries changed)."""

    changed = Signal()

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo)
        self._combo = combo
        self._run: CharSampler | None = None
        self._run_lines: frozenset[str] = frozenset()
        self._ngrams: list[NgramSampler] = []
        self._ngram_lines: frozenset[str] = frozenset()
        combo.addItem(RUN)
        combo.setItemData(0, RUN_TIP, Qt.ItemDataRole.ToolTipRole)
        combo.currentIndexChanged.connect(self.changed)

    def set_run(self, sampler: CharSampler | None, lines: frozenset[str] = frozenset()) -> None:
        """The run's sampler (None: no model yet); ``lines``: its training lines in line mode."""
        self._run, self._run_lines = sampler, lines

    def set_ngrams(self, samplers: list[NgramSampler], lines: frozenset[str] = frozenset()):
        """One entry per model (none: only the run). The chosen order stays chosen if it is
        still there; else the run is."""
        chosen = self.current_name()
        self._ngrams, self._ngram_lines = list(samplers), lines
        names = [sampler.name for sampler in samplers]
        self._combo.blockSignals(True)  # one ``changed`` at the end, not one per entry
        try:
            while self._combo.count() > 1:
                self._combo.removeItem(1)
            for index, (sampler, name) in enumerate(zip(samplers, names), start=1):
                self._combo.addItem(name)
                tip = ngram_tip(sampler.model.order)
                self._combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
            self._combo.setCurrentIndex(names.index(chosen) + 1 if chosen in names else 0)
        finally:
            self._combo.blockSignals(False)
        self.changed.emit()

    def current(self) -> CharSampler | None:
        index = self._combo.currentIndex()
        return self._ngrams[index - 1] if index > 0 else self._run

    def current_name(self) -> str:
        return self._combo.currentText()

    def run(self) -> CharSampler | None:
        return self._run

    def training_lines(self) -> frozenset[str]:
        """Line mode: the lines the models were trained on, for the new and seen markers."""
        return self._run_lines or self._ngram_lines
