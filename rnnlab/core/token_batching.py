"""A word or BPE run's batches: the same stretches of text as a character run's, in the same order.

Runs of different units cannot share batches, so they share text instead. A character run cuts
its training text into ``B`` streams of equal length and reads each in windows of ``seq_len``
characters; its validation reads ``streams`` stretches of the validation text in windows
(``rnnlab.core.validation_layout``). A token run takes the very same stretches: stream b holds
the tokens that start in character stream b. Streams hold different numbers of tokens, so each
is padded at its end (ignored targets; nothing is read after a stream's end, so the carried state
never sees the padding) to one length, cut into as many windows as the character run has (the
longest stream loses its last few tokens, so that no window is all padding). An
epoch is then the same number of steps over the same text for every unit, and step k of every
run reads about the same place of each stream. Validation covers the same characters, and the
loss is read per character over exactly the characters the counted tokens spell.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnlab.core.batching import IGNORE_INDEX, Batch, TrainingData
from rnnlab.core.token_corpus import TokenCorpus
from rnnlab.core.validation_layout import stream_layout

PAD = -1  # a padded position, before it becomes an ignored target (or code 0 as an input)


class TokenStreams:
    """Streams of token codes (rows, padded at their ends) read in windows."""

    def __init__(self, codes: np.ndarray, spelled: np.ndarray, spans: list[range], windows: int):
        longest = max(len(span) for span in spans)
        # Tokens a window reads, rounded down: every window of the longest stream is full, so no
        # batch is all padding; that stream loses its last few tokens (fewer than ``windows``).
        self.window = max(1, (longest - 1) // windows)
        self.windows = windows
        width = windows * self.window + 1
        self.codes = np.full((len(spans), width), PAD, np.int64)  # (rows, width)
        self.spelled = np.zeros((len(spans), width), np.int64)  # characters of each position
        for index, span in enumerate(spans):
            kept = span[:width]
            self.codes[index, : len(kept)] = codes[kept]
            self.spelled[index, : len(kept)] = spelled[kept]

    def batch(self, window: int) -> Batch:
        start = window * self.window
        inputs = self.codes[:, start : start + self.window]
        targets = self.codes[:, start + 1 : start + self.window + 1]
        counted = targets != PAD
        return Batch(
            inputs=torch.from_numpy(np.where(inputs == PAD, 0, inputs)),
            targets=torch.from_numpy(np.where(counted, targets, IGNORE_INDEX)),
            reset_state=window == 0,
            chars=int(counted.sum()),
            characters=int(self.spelled[:, start + 1 : start + self.window + 1].sum()),
        )


class TokenStreamData(TrainingData):
    """A TokenCorpus's batches over the character run's stretches (see the module)."""

    def __init__(
        self, corpus: TokenCorpus, batch_size: int, seq_len: int, fraction: float, eval_chars: int
    ) -> None:
        spelled = corpus.position_characters
        starts = np.cumsum(spelled) - spelled  # (tokens,) the character each token starts at
        characters = int(spelled.sum())
        # The character run's layout of the same text (CorpusError when it is too short).
        layout = stream_layout(characters, fraction, batch_size, seq_len, eval_chars, corpus.name)
        train_tokens = len(corpus.codes) - corpus.validation_tokens
        assert int(spelled[:train_tokens].sum()) == layout.start  # the same split

        def tokens_in(first: int, last: int) -> range:
            """The positions of the tokens that start in characters [first, last)."""
            begin, end = np.searchsorted(starts, [first, last])
            return range(int(begin), int(end))

        self.seq_len = seq_len
        self.line_mode = False
        self.training_lines = frozenset()
        self.batch_size = min(batch_size, layout.start // (seq_len + 1))
        stream_length = layout.start // self.batch_size  # characters, as the character run's
        self.batches_per_epoch = (stream_length - 1) // seq_len
        spans = [tokens_in(row * stream_length, (row + 1) * stream_length)
                 for row in range(self.batch_size)]  # fmt: skip
        self._train = TokenStreams(corpus.codes, spelled, spans, self.batches_per_epoch)
        self.train_chars = sum(
            self._train.batch(window).chars for window in range(self.batches_per_epoch)
        )
        reach = layout.windows * layout.window + 1  # characters a validation stream reads
        firsts = [layout.start + stream * layout.stride for stream in range(layout.streams)]
        spans = [tokens_in(first, first + reach) for first in firsts]
        validation = TokenStreams(corpus.codes, spelled, spans, layout.windows)
        self._validation = [validation.batch(window) for window in range(layout.windows)]
        self.validation_chars = sum(batch.chars for batch in self._validation)

    def train_batch(self, position: int) -> Batch:
        self._check_position(position)
        return self._train.batch(position % self.batches_per_epoch)

    def validation_batches(self) -> list[Batch]:
        return list(self._validation)

    def batch_chars(self, count: int) -> np.ndarray:
        per_window = [self._train.batch(window).chars for window in range(self.batches_per_epoch)]
        return np.resize(np.asarray(per_window, np.int64), count)
