"""A word or BPE run's batches: the same stretches of text as a character run's, in the same order.

Runs of different units cannot share batches, so they share text instead. A character run cuts
its training text into ``B`` streams of equal length and reads each in windows of ``seq_len``
characters; its validation reads ``streams`` stretches of the validation text in windows
(``rnnlab.core.validation_layout``). A token run takes the very same stretches: stream b holds
the tokens that start in character stream b. Streams hold different numbers of tokens, so each
is padded at its end (ignored targets; nothing is read after a stream's end, so the carried state
never sees the padding) to one length, cut into as many windows as the character run has, of
about equal width (every window of the longest stream holds targets: no batch is all padding,
and no text is dropped). A window must hold at least one token: ``--seq-len`` shorter than that
is refused. An
epoch is then the same number of steps over the same text for every unit, and step k of every
run reads about the same place of each stream. Validation covers the same characters, and the
loss is read per character over exactly the characters the counted tokens spell.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from rnnlab.core.batching import IGNORE_INDEX, Batch, TrainingData
from rnnlab.core.errors import ConfigError
from rnnlab.core.token_corpus import TokenCorpus
from rnnlab.core.validation_layout import stream_layout

PAD = -1  # a padded position, before it becomes an ignored target (or code 0 as an input)


class TokenStreams:
    """Streams of token codes (rows, padded at their ends) read in ``windows`` windows."""

    def __init__(self, codes: np.ndarray, spelled: np.ndarray, spans: list[range], windows: int):
        longest = max(len(span) for span in spans)
        if longest - 1 < windows:
            raise ValueError(f"{longest - 1} targets cannot fill {windows} windows")
        # Window w reads positions edges[w] .. edges[w + 1]: the longest stream's targets shared
        # out evenly (widths differ by one at most), so every window of that stream holds some
        # and no text is dropped.
        self.edges = [window * (longest - 1) // windows for window in range(windows + 1)]
        self.codes = np.full((len(spans), longest), PAD, np.int64)  # (rows, longest)
        self.spelled = np.zeros((len(spans), longest), np.int64)  # characters of each position
        for index, span in enumerate(spans):
            self.codes[index, : len(span)] = codes[span]
            self.spelled[index, : len(span)] = spelled[span]
        # (windows,) targets that count in each window: the real tokens after the first.
        real = (self.codes[:, 1:] != PAD).sum(axis=0)  # (longest - 1,) per target position
        self.counted = np.add.reduceat(real, self.edges[:-1]).astype(np.int64)

    def batch(self, window: int) -> Batch:
        start, end = self.edges[window], self.edges[window + 1]
        inputs = self.codes[:, start:end]
        targets = self.codes[:, start + 1 : end + 1]
        return Batch(
            inputs=torch.from_numpy(np.where(inputs == PAD, 0, inputs)),
            targets=torch.from_numpy(np.where(targets != PAD, targets, IGNORE_INDEX)),
            reset_state=window == 0,
            chars=int(self.counted[window]),
            characters=int(self.spelled[:, start + 1 : end + 1].sum()),
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
        self.tokenizer = corpus.tokenizer
        self.corpus = corpus  # the text in tokens: its token lengths and unknown share
        self.line_mode = False
        self.training_lines = frozenset()
        self.batch_size = min(batch_size, layout.start // (seq_len + 1))
        stream_length = layout.start // self.batch_size  # characters, as the character run's
        self.batches_per_epoch = (stream_length - 1) // seq_len
        spans = [tokens_in(row * stream_length, (row + 1) * stream_length)
                 for row in range(self.batch_size)]  # fmt: skip
        self._train = _streams(corpus, spans, self.batches_per_epoch, seq_len)
        self.train_chars = int(self._train.counted.sum())
        reach = layout.windows * layout.window + 1  # characters a validation stream reads
        firsts = [layout.start + stream * layout.stride for stream in range(layout.streams)]
        spans = [tokens_in(first, first + reach) for first in firsts]
        validation = _streams(corpus, spans, layout.windows, seq_len)
        self._validation = [validation.batch(window) for window in range(layout.windows)]
        self.validation_chars = int(validation.counted.sum())

    def train_batch(self, position: int) -> Batch:
        self._check_position(position)
        return self._train.batch(position % self.batches_per_epoch)

    def validation_batches(self) -> list[Batch]:
        return list(self._validation)

    def batch_chars(self, count: int) -> np.ndarray:
        return np.resize(self._train.counted, count)


def _streams(corpus: TokenCorpus, spans: list[range], windows: int, seq_len: int) -> TokenStreams:
    """The streams, or a ConfigError when a window of ``seq_len`` characters holds no token."""
    try:
        return TokenStreams(corpus.codes, corpus.position_characters, spans, windows)
    except ValueError:
        tokens = len(corpus.codes)
        shortest = math.ceil(2 * int(corpus.position_characters.sum()) / tokens)
        raise ConfigError(
            f"--seq-len {seq_len} characters is shorter than a {corpus.tokenizer.unit.label} "
            f"token on {corpus.name}: use --seq-len {max(shortest, seq_len + 1)} or more"
        ) from None
