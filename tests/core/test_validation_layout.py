"""The validation characters, torch-free, are exactly those the runs' validation loss counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnlab.core.batching import IGNORE_INDEX, make_training_data
from rnnlab.core.corpus import Corpus, bundled_data_dir, load_corpus
from rnnlab.core.errors import CorpusError
from rnnlab.core.validation_layout import (
    kept_length,
    kept_validation_lines,
    stream_layout,
    validation_text,
)

FRACTION = 0.1


@pytest.fixture(scope="module")
def prose(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    text = (bundled_data_dir() / "tinyshakespeare.txt").read_text(encoding="utf-8")[:40_000]
    path = tmp_path_factory.mktemp("layout") / "prose.txt"
    path.write_text(text, encoding="utf-8")
    return load_corpus(path)


@pytest.fixture(scope="module")
def names() -> Corpus:
    return load_corpus("names")


def counted_targets(corpus: Corpus, batch_size: int, seq_len: int, eval_chars: int):
    """The targets the trainer's validation loss counts, batch by batch, row after row."""
    data = make_training_data(
        corpus, batch_size=batch_size, seq_len=seq_len, validation_fraction=FRACTION,
        eval_chars=eval_chars, seed=3,
    )  # fmt: skip
    batches = data.validation_batches()
    targets = torch.cat([batch.targets.flatten() for batch in batches]).numpy()
    assert sum(batch.chars for batch in batches) == data.validation_chars
    return targets[targets != IGNORE_INDEX]


STREAM_SETTINGS = [
    (32, 64, 65_536),  # the defaults: fewer characters than asked, in 32 streams
    (4, 16, 500),
    (7, 33, 1_000),
    (1, 5, 3),  # eval_chars below seq_len: windows of 3
    (64, 8, 10**6),  # streams limited by the text
    (300, 2, 100),  # streams limited by eval_chars
]


@pytest.mark.parametrize(("batch_size", "seq_len", "eval_chars"), STREAM_SETTINGS)
def test_stream_positions_are_the_counted_targets(prose, batch_size, seq_len, eval_chars):
    expected = counted_targets(prose, batch_size, seq_len, eval_chars)
    layout = stream_layout(len(prose.codes), FRACTION, batch_size, seq_len, eval_chars)
    positions = layout.target_positions()
    assert len(positions) == layout.chars == len(expected)
    np.testing.assert_array_equal(prose.codes[positions], expected)  # in the batches' order
    assert positions.min() > layout.start  # all in the validation split

    text = validation_text(
        prose, batch_size=batch_size, seq_len=seq_len, fraction=FRACTION,
        eval_chars=eval_chars, context=7,
    )  # fmt: skip
    # The same characters, stream after stream, each with the 7 characters before it in the
    # corpus as its context (into the training text for the first stream).
    np.testing.assert_array_equal(text.target_codes(), prose.codes[np.sort(positions)])
    assert np.all(text.targets - text.piece_starts[text.targets] >= 7)
    first = int(layout.first_targets()[0])
    np.testing.assert_array_equal(text.codes[:8], prose.codes[first - 7 : first + 1])


LINE_SETTINGS = [(32, 64, 65_536), (5, 4, 300), (3, 1, 50), (8, 12, 1)]


@pytest.mark.parametrize(("batch_size", "seq_len", "eval_chars"), LINE_SETTINGS)
def test_line_examples_are_the_counted_targets(names, batch_size, seq_len, eval_chars):
    expected = counted_targets(names, batch_size, seq_len, eval_chars)
    text = validation_text(
        names, batch_size=batch_size, seq_len=seq_len, fraction=FRACTION,
        eval_chars=eval_chars, context=7,
    )  # fmt: skip
    np.testing.assert_array_equal(text.target_codes(), expected)  # same order, too
    newline = names.vocabulary.index("\n")
    # Every example starts at its own newline: no context reaches into the line before.
    starts = np.unique(text.piece_starts)
    assert np.all(text.codes[starts] == newline)
    assert not np.isin(starts, text.targets).any()
    assert len(starts) == int(np.sum(expected == newline))  # one line, one newline target


def test_kept_lines_count_their_targets() -> None:
    lines = ["ab", "abcdef", "x", "yz"]
    assert kept_length(6, 4) == 3 and kept_length(2, 4) == 2 and kept_length(5, 1) == 0
    assert kept_validation_lines(lines, 4, 7) == ["ab", "abcdef"]  # 3 + 4 targets
    assert kept_validation_lines(lines, 4, 1) == ["ab"]  # always at least one example
    assert kept_validation_lines(lines, 100, 10**6) == lines


def test_too_short_a_text_says_so(tmp_path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("abcdefghij" * 5, encoding="utf-8")  # 50 characters: 5 validate
    short = load_corpus(path)
    with pytest.raises(CorpusError, match="too short"):
        validation_text(
            short, batch_size=4, seq_len=8, fraction=FRACTION, eval_chars=100, context=7
        )
    tiny = validation_text(short, batch_size=4, seq_len=3, fraction=FRACTION, eval_chars=100,
                           context=7)  # fmt: skip
    assert len(tiny.targets) == 3  # one stream, one window of 3 targets
