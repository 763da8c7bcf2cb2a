"""The least memory training takes, and the refusal of a model that cannot fit."""

from __future__ import annotations

import pytest

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.core.memory_estimate import (
    batch_positions,
    memory_refusal,
    race_memory_refusal,
    training_memory,
)
from rnnlab.core.tasks import find_task

GIGABYTE = 10**9


@pytest.fixture(scope="module")
def shakespeare() -> Corpus:
    return load_corpus("tinyshakespeare")


def test_the_default_model_trains_on_a_small_machine(shakespeare) -> None:
    model, train = ModelConfig(vocab_size=65), TrainConfig()
    assert training_memory(model, train, batch_positions(shakespeare, train)).total_bytes < 1e8
    assert memory_refusal(model, train, shakespeare, 2 * GIGABYTE) == ""


def test_the_estimate_counts_the_copies_of_parameters_and_grows_with_the_batch(
    shakespeare,
) -> None:
    model = ModelConfig(vocab_size=65, hidden_size=512, layers=2)
    small, large = TrainConfig(batch_size=32, seq_len=64), TrainConfig(batch_size=64, seq_len=128)
    assert batch_positions(shakespeare, small) == 32 * 64
    # Weights, gradients and Adam's two moments; SGD with no momentum keeps no more.
    assert training_memory(model, small, 0).parameter_bytes == count_parameters(model) * 4 * 4
    plain = TrainConfig(optimizer="sgd", momentum=0.0)
    assert training_memory(model, plain, 0).parameter_bytes == count_parameters(model) * 2 * 4
    activations = [
        training_memory(model, train, batch_positions(shakespeare, train)).activation_bytes
        for train in (small, large)
    ]
    assert activations[1] == 4 * activations[0] > 0
    # An LSTM keeps more of each step than a vanilla RNN of the same size.
    rnn = ModelConfig(vocab_size=65, hidden_size=512, layers=2, cell="rnn")
    assert (
        training_memory(rnn, small, 2048).activation_bytes
        < training_memory(model, small, 2048).activation_bytes
    )


def test_batches_the_data_shapes_are_not_counted_by_the_settings_alone(shakespeare) -> None:
    # A refusal must never stop a run that fits: where the data, not B x T, sets a batch's
    # steps, its activations go uncounted rather than overcounted.
    huge = TrainConfig(batch_size=4096, seq_len=100_000)
    sonnets = load_corpus("sonnets")  # 90,243 training characters: no stream of 100,001
    assert batch_positions(sonnets, huge) == 0
    fitting = TrainConfig(batch_size=4096, seq_len=256)  # about 350 streams of 257 fit
    assert batch_positions(sonnets, fitting) == (90_243 // 257) * 256
    assert batch_positions(load_corpus("names"), huge) == 0  # line mode: its longest name
    assert batch_positions(find_task("adding"), huge) == 0  # a task: its own length
    assert batch_positions(shakespeare, TrainConfig(seq_len=256, tokens="word")) == 0


def test_a_model_larger_than_memory_is_refused_with_what_it_needs(shakespeare) -> None:
    model = ModelConfig(vocab_size=65, hidden_size=16_384, layers=16)
    refusal = memory_refusal(model, TrainConfig(), shakespeare, 16 * GIGABYTE)
    assert refusal.startswith("this model needs at least 550 GB to train")
    assert f"for {count_parameters(model):,} parameters" in refusal
    assert "a batch of 32 x 64 characters" in refusal
    assert "only 16.0 GB of memory is free" in refusal and "model or the batch smaller" in refusal
    task_refusal = memory_refusal(model, TrainConfig(), find_task("adding"), 16 * GIGABYTE)
    assert "batch" not in task_refusal and "make the model smaller" in task_refusal
    assert memory_refusal(model, TrainConfig(), shakespeare, None) == ""  # cannot tell: train


def test_runs_racing_in_turns_hold_every_model_but_one_batch_at_a_time(shakespeare) -> None:
    model, train = ModelConfig(vocab_size=65, hidden_size=1024, layers=2), TrainConfig()
    one = training_memory(model, train, batch_positions(shakespeare, train))
    four = [(model, train)] * 4
    exactly = 4 * one.parameter_bytes + one.activation_bytes
    assert race_memory_refusal(four, shakespeare, exactly) == ""
    refusal = race_memory_refusal(four, shakespeare, exactly - 1)
    assert refusal.startswith("these 4 runs need at least") and "the models or the batch" in refusal
    assert memory_refusal(model, train, shakespeare, exactly - 1) == ""  # one alone fits
