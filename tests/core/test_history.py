"""The run history: compact columns, characters seen and training seconds, old checkpoints."""

import itertools
import math

import numpy as np
import pytest
import torch
from engine_helpers import fast_training, tiny_model

from rnnlab.core.batching import make_training_data
from rnnlab.core.checkpoint import load_checkpoint, run_history, save_checkpoint
from rnnlab.core.history import CHUNK, Column, History
from rnnlab.core.resume import resume_trainer
from rnnlab.core.trainer import StepReport, new_trainer


def test_columns_keep_every_value_across_chunks() -> None:
    column = Column(np.float32)
    values = np.arange(CHUNK * 2 + 5, dtype=np.float32)
    column.extend(values[:10])
    for value in values[10:CHUNK + 3]:
        column.append(value)
    column.extend(values[CHUNK + 3 :])
    np.testing.assert_array_equal(column.array(), values)
    np.testing.assert_array_equal(column.since(CHUNK - 2), values[CHUNK - 2 :])
    assert column.since(len(values)).size == 0 and column.last() == values[-1]


def test_a_step_costs_a_few_dozen_bytes() -> None:
    history = History()
    report = StepReport(1, 2.0, 2.9, 1.5, False, 3e-3, 1e4, 256, 256, 0.01)
    for _ in range(3 * CHUNK):
        history.add_step(report)
    # Python lists of floats took about 160 bytes a step for these values.
    assert history.nbytes() / len(history) <= 40


def test_reports_and_history_count_characters_and_training_seconds(shakespeare) -> None:
    trainer = new_trainer(shakespeare, tiny_model(shakespeare), fast_training(eval_every=3))
    steps = [report for report in trainer.run(max_steps=7) if isinstance(report, StepReport)]
    assert [report.chars_seen for report in steps] == [8 * 32 * k for k in range(1, 8)]
    seconds = [report.training_seconds for report in steps]
    assert all(later > earlier > 0 for earlier, later in itertools.pairwise(seconds))
    assert trainer.history.chars.tolist() == [report.chars_seen for report in steps]
    np.testing.assert_allclose(trainer.history.seconds, seconds, rtol=1e-6)
    assert trainer.training_seconds == pytest.approx(seconds[-1])


def test_line_mode_batch_characters_match_the_batches(names) -> None:
    data = make_training_data(
        names, batch_size=64, seq_len=16, validation_fraction=0.1, eval_chars=500, seed=3
    )
    count = data.batches_per_epoch * 2 + 3  # across two epoch boundaries
    expected = [data.train_batch(position).chars for position in range(count)]
    assert data.batch_chars(count).tolist() == expected


@pytest.mark.parametrize("corpus_name", ["shakespeare", "names"])
def test_a_format_1_checkpoint_opens_with_characters_derived(
    request, corpus_name, tmp_path
) -> None:
    corpus = request.getfixturevalue(corpus_name)
    trainer = new_trainer(corpus, tiny_model(corpus), fast_training())
    list(trainer.run(max_steps=5))
    path = save_checkpoint(trainer, corpus, tmp_path / "new.pt")
    # The same run as an older rnnlab wrote it: format 1, no characters or seconds.
    payload = torch.load(path, weights_only=True)
    payload["format"] = 1
    for key in ("chars_seen", "training_seconds"):
        del payload["trainer"][key]
    for key in ("chars", "seconds"):
        del payload["trainer"]["history"][key]
    old = tmp_path / "old.pt"
    torch.save(payload, old)

    checkpoint = load_checkpoint(old)
    assert run_history(checkpoint, trainer.data).chars.tolist() == trainer.history.chars.tolist()
    resumed, _ = resume_trainer(checkpoint, corpus)
    assert resumed.chars_seen == trainer.chars_seen
    assert math.isnan(resumed.training_seconds)  # unknown, not made up
    report = next(resumed.run(max_steps=1))
    assert report.chars_seen == trainer.chars_seen + trainer.data.batch_chars(6)[-1]


def test_runs_stepped_in_turns_match_runs_trained_alone(shakespeare) -> None:
    """Dropout draws from a run's own stream: interleaving two runs changes neither."""
    model = tiny_model(shakespeare, layers=2, dropout=0.4)
    config = fast_training()

    def alone() -> list[float]:
        trainer = new_trainer(shakespeare, model, config)
        return [report.loss for report in trainer.run(max_steps=6)]

    expected = alone()
    first = new_trainer(shakespeare, model, config)
    second = new_trainer(shakespeare, model, config, data=first.data)
    turns = {id(first): [], id(second): []}
    for _ in range(6):
        for trainer in (first, second):
            turns[id(trainer)].append(trainer.train_step().loss)
        torch.rand(3)  # anything else drawing in between
    assert turns[id(first)] == expected and turns[id(second)] == expected
