"""Sampling from an n-gram model with the same calls as from a network (``CharSampler``), so
the sample panel can show Markov text beside the network's.

The "logits" are ln P(next character | the last order - 1 characters): the temperature then
gives P^(1/T) renormalised, and top-k and greedy work as they do for a network.
"""

from __future__ import annotations

import numpy as np

from rnnlab.core.ngram import NgramModel
from rnnlab.core.sampling import CharSampler
from rnnlab.core.vocabulary import Vocabulary


class NgramSampler(CharSampler):
    """The state is the last ``order - 1`` codes read: all an n-gram model remembers.

    A history shorter than that (the prime, or a line's start) is read as the start of the
    text, by the model of the order it fills (see ``ngram_baselines.effective_orders``): after
    a line's newline the first letter then follows how names really begin.
    """

    def __init__(self, model: NgramModel, vocabulary: Vocabulary, line_mode: bool = False):
        if model.counts.vocab_size != len(vocabulary):
            raise ValueError("the n-gram counts and the vocabulary do not belong together")
        super().__init__(vocabulary, line_mode)
        self.model = model
        # models[e - 1]: order e, for histories of e - 1 characters; the tables are shared.
        self._models = [
            NgramModel(model.counts, order, model.smoothing, model.add_k)
            for order in range(1, model.order)
        ] + [model]

    @property
    def name(self) -> str:
        return self.model.name

    def _feed(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        history = np.asarray(codes, dtype=np.int64)[max(len(codes) - self.model.order + 1, 0) :]
        model = self._models[min(self.model.order, len(history) + 1) - 1]
        return np.log(model.distribution(history)), history

    def _advance(self, code: int, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._feed(np.append(state, code))
