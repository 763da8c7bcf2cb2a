"""Batches: contiguous streams for prose, padded examples for name lists, all deterministic."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnlab.core.batching import IGNORE_INDEX, Batch, TrainingData, make_training_data
from rnnlab.core.corpus import Corpus, bundled_data_dir, load_corpus
from rnnlab.core.errors import CorpusError


@pytest.fixture(scope="module")
def prose(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    text = (bundled_data_dir() / "tinyshakespeare.txt").read_text(encoding="utf-8")[:20_000]
    path = tmp_path_factory.mktemp("batching") / "prose.txt"
    path.write_text(text, encoding="utf-8")
    return load_corpus(path)


@pytest.fixture(scope="module")
def name_list() -> Corpus:
    return load_corpus("names")


def corpus_from(tmp_path: Path, text: str, *, line_mode: bool = False) -> Corpus:
    path = tmp_path / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    return load_corpus(path, line_mode=line_mode)


def streams(corpus: Corpus, **overrides: float) -> TrainingData:
    options = {"batch_size": 4, "seq_len": 16, "validation_fraction": 0.1, "eval_chars": 500}
    options.update(overrides)
    return make_training_data(corpus, seed=1, **options)  # type: ignore[arg-type]


def same(first: Batch, second: Batch) -> bool:
    return (
        torch.equal(first.inputs, second.inputs)
        and torch.equal(first.targets, second.targets)
        and (first.reset_state, first.chars) == (second.reset_state, second.chars)
    )


# --- stream mode -------------------------------------------------------------------------------


def test_windows_have_the_asked_shape_and_targets_are_inputs_shifted(prose: Corpus) -> None:
    data = streams(prose)
    assert (data.batch_size, data.seq_len, data.line_mode) == (4, 16, False)
    assert data.training_lines == frozenset()
    batch = data.train_batch(0)
    assert batch.inputs.shape == (4, 16) and batch.inputs.dtype == torch.int64
    assert batch.targets.dtype == torch.int64 and batch.chars == 64
    assert torch.equal(batch.targets[:, :-1], batch.inputs[:, 1:])
    assert prose.vocabulary.decode(batch.inputs[0]) == prose.text[:16]


def test_each_stream_continues_where_its_previous_window_ended(prose: Corpus) -> None:
    data = streams(prose)
    windows = [data.train_batch(position) for position in range(data.batches_per_epoch)]
    joined = torch.cat([batch.inputs for batch in windows], dim=1)  # (B, epoch length)
    for earlier, later in itertools.pairwise(windows):
        assert torch.equal(later.inputs[:, 0], earlier.targets[:, -1])
    # Rows are consecutive stretches of the training text, in order.
    stream_length = (len(prose.codes) - int(len(prose.codes) * 0.1)) // 4
    for row in range(4):
        start = row * stream_length
        assert prose.vocabulary.decode(joined[row]) == prose.text[start : start + joined.shape[1]]
    assert data.train_chars == 4 * 16 * data.batches_per_epoch


def test_state_resets_only_at_the_start_of_each_epoch(prose: Corpus) -> None:
    data = streams(prose)
    epoch = data.batches_per_epoch
    resets = [data.train_batch(position).reset_state for position in range(3 * epoch)]
    assert [position for position, reset in enumerate(resets) if reset] == [0, epoch, 2 * epoch]


def test_batches_are_a_pure_function_of_position(prose: Corpus) -> None:
    first, second = streams(prose), streams(prose)
    epoch = first.batches_per_epoch
    for position in (0, 5, epoch - 1, 7 * epoch + 3):
        assert same(first.train_batch(position), second.train_batch(position))
        assert same(first.train_batch(position), first.train_batch(position % epoch))
    with pytest.raises(ValueError, match="position must be 0 or more"):
        first.train_batch(-1)


def test_training_never_reads_the_validation_part(prose: Corpus) -> None:
    data = streams(prose, batch_size=7, seq_len=13)
    train_length = len(prose.codes) - int(len(prose.codes) * 0.1)  # 18,000
    stream_length = train_length // 7
    last = data.train_batch(data.batches_per_epoch - 1)
    end = 6 * stream_length + data.batches_per_epoch * 13 + 1  # after the last target read
    assert prose.vocabulary.decode(last.targets[-1]) == prose.text[end - 13 : end]
    assert end <= train_length


def test_validation_is_fixed_capped_and_from_the_end_of_the_text(prose: Corpus) -> None:
    data = streams(prose, eval_chars=500)
    batches = data.validation_batches()
    assert all(same(a, b) for a, b in zip(batches, data.validation_batches(), strict=True))
    assert [batch.reset_state for batch in batches] == [True] + [False] * (len(batches) - 1)
    assert data.validation_chars == sum(batch.chars for batch in batches) <= 500
    assert data.validation_chars >= 500 - 4 * 16  # uses most of what was allowed
    validation_text = prose.text[len(prose.text) - int(len(prose.text) * 0.1) :]
    for batch in batches:
        assert torch.equal(batch.targets[:, :-1], batch.inputs[:, 1:])
        for row in batch.inputs:
            assert prose.vocabulary.decode(row) in validation_text
    # Other seeds, same validation.
    other = make_training_data(
        prose, batch_size=4, seq_len=16, validation_fraction=0.1, eval_chars=500, seed=99
    )
    assert all(same(a, b) for a, b in zip(batches, other.validation_batches(), strict=True))


def test_validation_smaller_than_one_window(prose: Corpus) -> None:
    batches = streams(prose, eval_chars=10).validation_batches()
    assert len(batches) == 1 and batches[0].inputs.shape == (1, 10) and batches[0].chars == 10


def test_short_text_uses_fewer_streams(tmp_path: Path) -> None:
    corpus = corpus_from(tmp_path, "abcdefghij" * 40)  # 320 to train on, 80 to validate
    data = make_training_data(
        corpus, batch_size=32, seq_len=64, validation_fraction=0.2, eval_chars=1000, seed=0
    )
    assert data.batch_size == 320 // 65 == 4
    assert data.batches_per_epoch == 1 and data.train_batch(0).inputs.shape == (4, 64)
    assert [batch.inputs.shape for batch in data.validation_batches()] == [(1, 64)]


def test_too_short_text_is_refused(tmp_path: Path) -> None:
    corpus = corpus_from(tmp_path, "to be or not to be\n" * 20)  # 380 characters
    with pytest.raises(CorpusError) as caught:
        make_training_data(
            corpus, batch_size=32, seq_len=64, validation_fraction=0.1, eval_chars=1000, seed=0
        )
    assert str(caught.value) == (
        "corpus.txt has 380 characters: too short for one training window plus one validation"
        " window of seq_len+1 characters (--seq-len 64); use a longer text or a shorter --seq-len"
    )


# --- line mode ---------------------------------------------------------------------------------


def lines_mode(corpus: Corpus, seed: int = 1, **overrides: float) -> TrainingData:
    options = {"batch_size": 32, "seq_len": 16, "validation_fraction": 0.1, "eval_chars": 2000}
    options.update(overrides)
    return make_training_data(corpus, seed=seed, **options)  # type: ignore[arg-type]


def examples(corpus: Corpus, batch: Batch) -> list[str]:
    """The lines in a batch, read back from the inputs, after checking the example layout."""
    newline = corpus.vocabulary.index("\n")
    inputs, targets = batch.inputs.numpy(), batch.targets.numpy()  # (B, W)
    counted = (targets != IGNORE_INDEX).sum(axis=1)  # (B,) line length + 1
    width = inputs.shape[1]
    inside = np.arange(width)[None, :] < counted[:, None]  # (B, W) positions that count
    assert (inputs[:, 0] == newline).all()  # every example starts with a newline...
    assert (targets[np.arange(len(counted)), counted - 1] == newline).all()  # ...and ends so
    shifted = np.arange(width - 1)[None, :] < (counted - 1)[:, None]
    assert ((targets[:, :-1] == inputs[:, 1:]) | ~shifted).all()  # targets = inputs moved by one
    assert (inputs[~inside] == newline).all()  # padding inputs are harmless newlines
    assert (targets[~inside] == IGNORE_INDEX).all()  # and their targets never count
    text = corpus.vocabulary.decode(inputs.reshape(-1))
    return [text[row * width + 1 : row * width + count] for row, count in enumerate(counted)]


def test_every_example_starts_and_ends_with_a_newline(name_list: Corpus) -> None:
    data = lines_mode(name_list)
    batch = data.train_batch(0)
    assert data.line_mode and batch.reset_state and batch.inputs.shape[0] == 32
    names = examples(name_list, batch)
    assert batch.chars == sum(len(name) + 1 for name in names)
    assert batch.inputs.shape[1] == max(len(name) for name in names) + 1
    assert all(name in data.training_lines for name in names)


def test_one_epoch_shows_every_training_line_and_no_validation_line(name_list: Corpus) -> None:
    data = lines_mode(name_list, batch_size=256)
    seen: list[str] = []
    for position in range(data.batches_per_epoch):
        seen.extend(examples(name_list, data.train_batch(position)))
    validation = [
        line for batch in data.validation_batches() for line in examples(name_list, batch)
    ]
    assert set(seen) == data.training_lines
    assert len(seen) == sum(1 for line in name_list.lines if line in data.training_lines)
    assert validation and data.training_lines.isdisjoint(validation)
    assert data.validation_chars == sum(len(line) + 1 for line in validation) <= 2000
    assert data.batches_per_epoch == -(-len(seen) // 256)


def test_split_is_fixed_and_shuffle_follows_seed_and_epoch(name_list: Corpus) -> None:
    first, again, other = (
        lines_mode(name_list, 1),
        lines_mode(name_list, 1),
        lines_mode(name_list, 2),
    )
    assert first.training_lines == other.training_lines
    assert all(
        same(a, b)
        for a, b in zip(first.validation_batches(), other.validation_batches(), strict=True)
    )
    epoch = first.batches_per_epoch
    assert same(first.train_batch(3), again.train_batch(3))
    assert same(first.train_batch(epoch + 3), again.train_batch(epoch + 3))
    assert not same(first.train_batch(0), other.train_batch(0))
    assert not same(first.train_batch(0), first.train_batch(epoch))


def test_long_lines_are_cut_to_fit_the_window(tmp_path: Path) -> None:
    corpus = corpus_from(tmp_path, "abcdefghijklmnop\nxy\n\nzz\nqq\n", line_mode=True)
    data = lines_mode(corpus, seq_len=8, batch_size=8, validation_fraction=0.25)
    batches = [data.train_batch(0), *data.validation_batches()]
    assert all(batch.inputs.shape[1] <= 8 for batch in batches)
    seen = sorted(line for batch in batches for line in examples(corpus, batch))
    assert seen == ["abcdefg", "qq", "xy", "zz"]  # the blank line is no example


def test_last_batch_of_an_epoch_holds_the_remainder(tmp_path: Path) -> None:
    corpus = corpus_from(tmp_path, "".join(f"name{index}\n" for index in range(23)), line_mode=True)
    data = lines_mode(corpus, batch_size=8, validation_fraction=0.1)  # 2 validation, 21 training
    assert (data.batch_size, data.batches_per_epoch) == (8, 3)
    assert [data.train_batch(p).inputs.shape[0] for p in range(4)] == [8, 8, 5, 8]
    small = lines_mode(corpus, batch_size=100)
    assert small.batch_size == 21 and small.batches_per_epoch == 1


def test_duplicate_lines_never_straddle_the_split(tmp_path: Path) -> None:
    text = "anna\nbob\nanna\ncarl\nanna\ndora\nbob\neve\n"
    corpus = corpus_from(tmp_path, text, line_mode=True)
    data = lines_mode(corpus, validation_fraction=0.5)
    validation = {line for b in data.validation_batches() for line in examples(corpus, b)}
    assert validation and data.training_lines.isdisjoint(validation)


@pytest.mark.parametrize("text", ["only one\n\n\n", "same\nsame\n"])
def test_line_mode_needs_two_distinct_lines(tmp_path: Path, text: str) -> None:
    corpus = corpus_from(tmp_path, text, line_mode=True)
    with pytest.raises(
        CorpusError, match=r"corpus.txt has 1 distinct non-empty line: line mode needs at least 2"
    ):
        lines_mode(corpus)
