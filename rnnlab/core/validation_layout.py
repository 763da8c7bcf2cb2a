"""Which characters a run's validation loss counts, torch-free.

``rnnlab.core.batching`` builds its validation batches from these layouts, and the n-gram
baselines are scored on ``validation_text``, so a baseline line and a validation point on the loss
plot are averages over exactly the same characters.

- Stream mode: at most ``eval_chars`` targets, in up to ``batch_size`` streams spread through the
  validation split (one stretch of text each), read in windows of ``seq_len``. The context of a
  target is the text before it, continuing into the training text.
- Line mode: validation lines in their fixed order, each cut to ``seq_len - 1`` characters and
  ended by a newline target, up to ``eval_chars`` targets. A line's context starts at its line:
  the network starts each line from a zero state after a newline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.core.corpus import Corpus, split_lines
from rnnlab.core.errors import CorpusError

NEWLINE = "\n"


@dataclass(frozen=True)
class StreamLayout:
    """Validation windows over the last part of a stream-mode text."""

    start: int  # where validation starts in the codes: the training length
    window: int  # targets per stream and batch (seq_len, or eval_chars if smaller)
    streams: int  # rows of a validation batch
    stride: int  # distance between the starts of two streams
    windows: int  # validation batches

    @property
    def chars(self) -> int:
        return self.streams * self.windows * self.window

    def rows(self, validation_codes: np.ndarray) -> np.ndarray:
        """(streams, windows * window + 1) view of the validation codes: the first part of each
        stream's stretch; batch i reads columns i * window .. (i + 1) * window (+1 for targets)."""
        stretches = validation_codes[: self.streams * self.stride].reshape(self.streams, -1)
        return stretches[:, : self.windows * self.window + 1]

    def first_targets(self) -> np.ndarray:
        """(streams,) position in the whole text of each stream's first target."""
        return self.start + np.arange(self.streams, dtype=np.int64) * self.stride + 1

    def target_positions(self) -> np.ndarray:
        """(chars,) positions in the whole text of the counted targets, in the order the
        validation batches hold them (batch by batch, each row after row)."""
        offsets = np.arange(self.windows * self.window, dtype=np.int64)
        positions = self.first_targets()[:, None] + offsets  # (streams, windows * window)
        by_batch = positions.reshape(self.streams, self.windows, self.window).transpose(1, 0, 2)
        return by_batch.reshape(-1)


def stream_layout(
    length: int, fraction: float, batch_size: int, seq_len: int, eval_chars: int, name: str = ""
) -> StreamLayout:
    """The layout for a text of ``length`` codes (CorpusError if it is too short for one
    training and one validation window)."""
    validation_length = int(length * fraction)
    train_length = length - validation_length
    if train_length < seq_len + 1 or validation_length < seq_len + 1:
        raise CorpusError(
            f"{name or 'the text'} has {length:,} characters: too short for one training window"
            f" plus one validation window of seq_len+1 characters (--seq-len {seq_len}); use"
            " a longer text or a shorter --seq-len"
        )
    window = min(seq_len, eval_chars)  # only shorter when eval_chars < seq_len
    streams = max(1, min(batch_size, validation_length // (window + 1), eval_chars // window))
    stride = validation_length // streams  # each stream starts at its own stretch of the text
    windows = min((stride - 1) // window, eval_chars // (streams * window))
    return StreamLayout(train_length, window, streams, stride, windows)


def kept_length(line_length: int, seq_len: int) -> int:
    """How many of a line's characters an example keeps: it must fit in seq_len with the
    newline before it."""
    return min(line_length, seq_len - 1)


def kept_validation_lines(lines: list[str], seq_len: int, eval_chars: int) -> list[str]:
    """The validation examples, in order, up to ``eval_chars`` targets (always at least one):
    each counts its kept characters and the newline after them."""
    kept: list[str] = []
    counted = 0
    for line in lines:
        targets = kept_length(len(line), seq_len) + 1
        if kept and counted + targets > eval_chars:
            break
        kept.append(line)
        counted += targets
    return kept


@dataclass(frozen=True)
class ValidationText:
    """The counted validation characters with their contexts, as pieces of text end to end."""

    codes: np.ndarray  # (N,) int64: the pieces laid end to end
    piece_starts: np.ndarray  # (N,) int64: where each position's piece begins in codes; a
    # context never reaches further back (another stream's text, or the line before)
    targets: np.ndarray  # (M,) int64 indices into codes of the counted characters

    def target_codes(self) -> np.ndarray:
        return self.codes[self.targets]


def validation_text(
    corpus: Corpus,
    *,
    batch_size: int,
    seq_len: int,
    fraction: float,
    eval_chars: int,
    context: int,
) -> ValidationText:
    """What ``make_training_data(...).validation_batches()`` counts, as text for a model that
    reads up to ``context`` characters back (an n-gram of order context + 1).

    CorpusError when the corpus cannot be split as training would split it.
    """
    if corpus.line_mode:
        _, validation_lines = split_lines(corpus, fraction)
        kept = kept_validation_lines(validation_lines, seq_len, eval_chars)
        # Each example as the network reads it: a newline, the kept characters, a newline.
        examples = [NEWLINE + line[: kept_length(len(line), seq_len)] + NEWLINE for line in kept]
        codes = corpus.vocabulary.encode("".join(examples)).astype(np.int64)
        lengths = np.array([len(example) for example in examples], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        piece_starts = np.repeat(starts, lengths)
        targets = np.flatnonzero(np.arange(len(codes)) != piece_starts)  # all but the newline
        return ValidationText(codes, piece_starts, targets)  # before each example

    length = len(corpus.codes)
    layout = stream_layout(length, fraction, batch_size, seq_len, eval_chars, corpus.name)
    first = layout.first_targets()
    begins = np.maximum(first - context, 0)  # each stream's piece, with its context before it
    ends = first + layout.windows * layout.window
    pieces = [corpus.codes[begin:end] for begin, end in zip(begins.tolist(), ends.tolist())]
    codes = np.concatenate(pieces).astype(np.int64)
    lengths = ends - begins
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    piece_starts = np.repeat(starts, lengths)
    counted = np.arange(len(codes)) - piece_starts >= np.repeat(first - begins, lengths)
    return ValidationText(codes, piece_starts, np.flatnonzero(counted))
