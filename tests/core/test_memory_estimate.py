"""The least memory training takes, and the refusal of a model that cannot fit."""

from __future__ import annotations

from rnnlab.core.config import ModelConfig, TrainConfig, count_parameters
from rnnlab.core.memory_estimate import memory_refusal, race_memory_refusal, training_memory

GIGABYTE = 10**9


def test_the_default_model_trains_on_a_small_machine() -> None:
    model, train = ModelConfig(vocab_size=65), TrainConfig()
    assert training_memory(model, train).total_bytes < 0.1 * GIGABYTE
    assert memory_refusal(model, train, 2 * GIGABYTE) == ""


def test_the_estimate_counts_the_copies_of_parameters_and_grows_with_the_batch() -> None:
    model = ModelConfig(vocab_size=65, hidden_size=512, layers=2)
    small, large = TrainConfig(batch_size=32, seq_len=64), TrainConfig(batch_size=64, seq_len=128)
    # Weights, gradients and Adam's two moments; SGD with no momentum keeps no more.
    assert training_memory(model, small).parameter_bytes == count_parameters(model) * 4 * 4
    plain = TrainConfig(optimizer="sgd", momentum=0.0)
    assert training_memory(model, plain).parameter_bytes == count_parameters(model) * 2 * 4
    assert training_memory(model, large).activation_bytes == (
        4 * training_memory(model, small).activation_bytes
    )
    # An LSTM keeps more of each step than a vanilla RNN of the same size.
    rnn = ModelConfig(vocab_size=65, hidden_size=512, layers=2, cell="rnn")
    assert (
        training_memory(rnn, small).activation_bytes
        < training_memory(model, small).activation_bytes
    )


def test_a_model_larger_than_memory_is_refused_with_what_it_needs() -> None:
    model = ModelConfig(vocab_size=65, hidden_size=16_384, layers=16)
    refusal = memory_refusal(model, TrainConfig(), 16 * GIGABYTE)
    assert refusal.startswith("this model needs at least 550 GB to train")
    assert f"for {count_parameters(model):,} parameters" in refusal and "32 x 64 batch" in refusal
    assert "only 16.0 GB of memory is free" in refusal and "smaller" in refusal
    assert memory_refusal(model, TrainConfig(), None) == ""  # a system that cannot tell: train


def test_runs_racing_in_turns_hold_every_model_but_one_batch_at_a_time() -> None:
    model, train = ModelConfig(vocab_size=65, hidden_size=1024, layers=2), TrainConfig()
    one = training_memory(model, train)
    four = [(model, train)] * 4
    exactly = 4 * one.parameter_bytes + one.activation_bytes
    assert race_memory_refusal(four, exactly) == ""
    refusal = race_memory_refusal(four, exactly - 1)
    assert refusal.startswith("these 4 runs need at least") and "the models or the batch" in refusal
    assert memory_refusal(model, train, exactly - 1) == ""  # one of them alone fits
