"""Cutting a corpus into training and validation batches.

Stream mode (prose, code) is stateful truncated backpropagation through time, as in char-rnn: the
training text is laid out as B contiguous parallel streams and each batch is the next window of T
characters of every stream, so the trainer carries the hidden state from one batch to the next.

Line mode (name lists) treats every non-empty line as one example that starts and ends with a
newline; batches are padded and every batch starts from a zero state.

Every batch is a pure function of (data, position): a run resumed from a checkpoint at position p
sees exactly the batches it would have seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from rnnlab.core.corpus import Corpus, split_lines
from rnnlab.core.errors import CorpusError
from rnnlab.core.validation_layout import (
    StreamLayout,
    kept_length,
    kept_validation_lines,
    stream_layout,
)
from rnnlab.core.vocabulary import Vocabulary

IGNORE_INDEX = -100  # the default ignore_index of torch.nn.functional.cross_entropy
NEWLINE = "\n"


@dataclass(frozen=True)
class Batch:
    inputs: torch.Tensor  # (B, T) int64 codes, on CPU; a numeric task's (B, T, D) float32
    targets: torch.Tensor  # (B, T) int64 codes, IGNORE_INDEX where no loss counts; a numeric
    # task's (B, T) float32, NaN where nothing is asked
    reset_state: bool  # True: the model starts this batch from a zero hidden state
    chars: int  # number of targets that count
    # Characters the counted targets spell: 0 when each target is one character. A token run's
    # loss is read per character over them (``rnnlab.core.token_corpus``).
    characters: int = 0


class TrainingData:
    """Deterministic batches of one corpus; built by make_training_data."""

    batch_size: int  # effective: smaller than asked when the text is short
    seq_len: int
    batches_per_epoch: int
    train_chars: int  # characters (targets) in one epoch of training batches
    validation_chars: int  # targets that count in validation_batches()
    line_mode: bool
    training_lines: frozenset[str]  # line mode: the training examples; else empty
    loss_kind: str = "cross-entropy"  # or "squared error" (a task's numeric answer)
    # A word or BPE run's Tokenizer (rnnlab.core.tokens): what its probes and samples read and
    # write. None: characters (or a task's symbols).
    tokenizer: Any = None

    def train_batch(self, position: int) -> Batch:
        raise NotImplementedError

    def validation_batches(self) -> list[Batch]:
        raise NotImplementedError

    def batch_chars(self, count: int) -> np.ndarray:
        """(count,) int64: the characters that count in the batches at positions 0..count-1,
        without building them (to derive characters seen from steps, for old checkpoints)."""
        raise NotImplementedError

    def _check_position(self, position: int) -> None:
        if position < 0:
            raise ValueError(f"batch position must be 0 or more, got {position}")


def _to_tensor(codes: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(codes, dtype=np.int64))


class _StreamData(TrainingData):
    def __init__(
        self, corpus: Corpus, batch_size: int, seq_len: int, fraction: float, eval_chars: int
    ) -> None:
        codes = corpus.codes
        # CorpusError if the text is too short for one training and one validation window.
        layout = stream_layout(len(codes), fraction, batch_size, seq_len, eval_chars, corpus.name)
        train_length = layout.start
        self.seq_len = seq_len
        self.line_mode = False
        self.training_lines = frozenset()
        self.batch_size = min(batch_size, train_length // (seq_len + 1))
        stream_length = train_length // self.batch_size
        # (B, stream_length) view of the training codes: row b is one contiguous stretch of text.
        self._streams = codes[: self.batch_size * stream_length].reshape(self.batch_size, -1)
        self.batches_per_epoch = (stream_length - 1) // seq_len
        self.train_chars = self.batch_size * self.batches_per_epoch * seq_len
        self._validation = self._layout_validation(codes[train_length:], layout)
        self.validation_chars = sum(batch.chars for batch in self._validation)

    def batch_chars(self, count: int) -> np.ndarray:
        return np.full(count, self.batch_size * self.seq_len, dtype=np.int64)

    def train_batch(self, position: int) -> Batch:
        self._check_position(position)
        window = position % self.batches_per_epoch
        start = window * self.seq_len
        return Batch(
            inputs=_to_tensor(self._streams[:, start : start + self.seq_len]),
            targets=_to_tensor(self._streams[:, start + 1 : start + self.seq_len + 1]),
            reset_state=window == 0,
            chars=self.batch_size * self.seq_len,
        )

    @staticmethod
    def _layout_validation(codes: np.ndarray, layout: StreamLayout) -> list[Batch]:
        """Windows in order over the layout's streams (``rnnlab.core.validation_layout``)."""
        rows, window = layout.rows(codes), layout.window
        return [
            Batch(
                inputs=_to_tensor(rows[:, index * window : (index + 1) * window]),
                targets=_to_tensor(rows[:, index * window + 1 : (index + 1) * window + 1]),
                reset_state=index == 0,
                chars=layout.streams * window,
            )
            for index in range(layout.windows)
        ]

    def validation_batches(self) -> list[Batch]:
        return list(self._validation)


class _LineData(TrainingData):
    def __init__(
        self,
        corpus: Corpus,
        batch_size: int,
        seq_len: int,
        fraction: float,
        eval_chars: int,
        seed: int,
    ) -> None:
        train_lines, validation_lines = split_lines(corpus, fraction)

        vocabulary = corpus.vocabulary
        if NEWLINE not in vocabulary:  # cannot happen with 2+ lines; guards a hand-made corpus
            raise CorpusError(f"{corpus.name} has no newline character: line mode needs one")
        self._newline = vocabulary.index(NEWLINE)
        self.seq_len = seq_len
        self.line_mode = True
        self.training_lines = frozenset(train_lines)
        self._seed = seed
        # One encode call for all lines; each example is a slice of the result.
        self._train_codes, self._train_offsets = self._encode(vocabulary, train_lines)
        self.batch_size = min(batch_size, len(train_lines))
        self.batches_per_epoch = math.ceil(len(train_lines) / self.batch_size)
        lengths = np.diff(self._train_offsets) - 1  # the separators are not part of a line
        # Targets per example: the line cut to seq_len - 1 characters, plus its newline.
        self._example_chars = np.minimum(lengths, seq_len - 1) + 1
        self.train_chars = int(self._example_chars.sum())
        self._cached_epoch: tuple[int, np.ndarray] | None = None

        # Validation examples in fixed order, up to eval_chars targets.
        kept = kept_validation_lines(validation_lines, seq_len, eval_chars)
        codes, offsets = self._encode(vocabulary, kept)
        self._validation = [
            self._pad(codes, offsets, list(range(start, min(start + batch_size, len(kept)))))
            for start in range(0, len(kept), batch_size)
        ]
        self.validation_chars = sum(batch.chars for batch in self._validation)

    @staticmethod
    def _encode(vocabulary: Vocabulary, lines: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Codes of "\\n".join(lines) + "\\n", and (len(lines)+1,) start offsets of each line."""
        lengths = np.fromiter((len(line) + 1 for line in lines), np.int64, len(lines))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        return vocabulary.encode(NEWLINE.join(lines) + NEWLINE), offsets

    def _pad(self, codes: np.ndarray, offsets: np.ndarray, examples: list[int]) -> Batch:
        """inputs = [newline] + line, targets = line + [newline], padded to the longest."""
        # Each line without its newline, cut to seq_len - 1 characters so the example fits.
        starts, ends = offsets[examples], offsets[np.asarray(examples, dtype=np.int64) + 1] - 1
        pieces = [
            codes[start : start + kept_length(end - start, self.seq_len)]
            for start, end in zip(starts.tolist(), ends.tolist())
        ]
        width = max(len(piece) for piece in pieces) + 1
        inputs = np.full((len(pieces), width), self._newline, dtype=np.int64)
        targets = np.full((len(pieces), width), IGNORE_INDEX, dtype=np.int64)
        for row, piece in enumerate(pieces):
            inputs[row, 1 : len(piece) + 1] = piece
            targets[row, : len(piece)] = piece
            targets[row, len(piece)] = self._newline
        chars = sum(len(piece) + 1 for piece in pieces)
        return Batch(torch.from_numpy(inputs), torch.from_numpy(targets), True, chars)

    def _epoch_order(self, epoch: int) -> np.ndarray:
        # A one-entry cache: consecutive positions almost always share an epoch.
        if self._cached_epoch is None or self._cached_epoch[0] != epoch:
            rng = np.random.default_rng([self._seed, epoch])
            self._cached_epoch = (epoch, rng.permutation(len(self._train_offsets) - 1))
        return self._cached_epoch[1]

    def batch_chars(self, count: int) -> np.ndarray:
        starts = np.arange(0, len(self._example_chars), self.batch_size)
        epochs = [
            np.add.reduceat(self._example_chars[self._epoch_order(epoch)], starts)
            for epoch in range(-(-count // self.batches_per_epoch))
        ]
        return np.concatenate(epochs)[:count].astype(np.int64) if epochs else np.zeros(0, np.int64)

    def train_batch(self, position: int) -> Batch:
        self._check_position(position)
        epoch, index = divmod(position, self.batches_per_epoch)
        chosen = self._epoch_order(epoch)[index * self.batch_size : (index + 1) * self.batch_size]
        return self._pad(self._train_codes, self._train_offsets, chosen.tolist())

    def validation_batches(self) -> list[Batch]:
        return list(self._validation)


def make_training_data(
    corpus: Corpus,
    *,
    batch_size: int,
    seq_len: int,
    validation_fraction: float,
    eval_chars: int,
    seed: int,
) -> TrainingData:
    """Training and validation batches for corpus, in stream or line mode (corpus.line_mode)."""
    if batch_size < 1 or seq_len < 1 or eval_chars < 1:
        raise ValueError("batch_size, seq_len and eval_chars must be at least 1")
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {validation_fraction}")
    if corpus.line_mode:
        return _LineData(corpus, batch_size, seq_len, validation_fraction, eval_chars, seed)
    return _StreamData(corpus, batch_size, seq_len, validation_fraction, eval_chars)
