"""Sampling: repeatable, temperature does what it says, beams are ranked, names are whole lines."""

import math
from collections import Counter

import numpy as np
import pytest

from rnnlab.core.errors import SamplingError
from rnnlab.core.ngram import NgramCounts, NgramModel, split_for_ngrams
from rnnlab.core.ngram_sampling import NgramSampler
from rnnlab.core.sampling import CharSampler, Sampler, SampleSettings


@pytest.fixture(scope="module")
def sampler(trained_shakespeare, shakespeare) -> Sampler:
    return Sampler.from_model(trained_shakespeare.model, shakespeare.vocabulary)


def entropy_of(text: str) -> float:
    counts = np.array(list(Counter(text).values()), dtype=float)
    probabilities = counts / counts.sum()
    return float(-(probabilities * np.log(probabilities)).sum())


def test_same_seed_same_text_and_streams_characters(sampler) -> None:
    settings = SampleSettings(temperature=1.0, seed=7)
    first = sampler.sample("ROMEO:", 200, settings)
    assert first == sampler.sample("ROMEO:", 200, settings)
    assert len(first) == 200
    assert first != sampler.sample("ROMEO:", 200, SampleSettings(seed=8))
    streamed = sampler.generate("ROMEO:", 5, settings)
    assert next(streamed) == first[0]  # a generator: characters arrive one at a time


def test_lower_temperature_gives_lower_entropy(sampler) -> None:
    cold = sampler.sample("\n", 1500, SampleSettings(temperature=0.3, seed=1))
    hot = sampler.sample("\n", 1500, SampleSettings(temperature=1.5, seed=1))
    assert entropy_of(cold) < entropy_of(hot) - 0.2


def test_next_character_distribution_sharpens_as_temperature_falls(sampler) -> None:
    cold = sampler.next_char_distribution("the kin", 0.5)
    warm = sampler.next_char_distribution("the kin", 1.0)
    hot = sampler.next_char_distribution("the kin", 2.0)
    for distribution in (cold, warm, hot):
        assert distribution.shape == (len(sampler.vocabulary),)
        assert distribution.sum() == pytest.approx(1.0)
    assert cold.max() > warm.max() > hot.max()
    assert cold.argmax() == warm.argmax() == hot.argmax()


def test_greedy_top_k_and_top_p_restrict_the_choice(sampler) -> None:
    greedy = sampler.sample("MARCIUS", 50, SampleSettings(greedy=True, seed=1))
    assert greedy == sampler.sample("MARCIUS", 50, SampleSettings(greedy=True, seed=99))
    distribution = sampler.next_char_distribution("MARCIUS", 1.0)
    best = sampler.vocabulary.chars[int(distribution.argmax())]
    assert next(sampler.generate("MARCIUS", 1, SampleSettings(top_k=1, seed=3))) == best
    assert next(sampler.generate("MARCIUS", 1, SampleSettings(top_p=1e-9, seed=3))) == best


@pytest.mark.parametrize("temperature", [0, -1.0, math.nan, math.inf])
def test_temperature_must_be_positive(temperature) -> None:
    with pytest.raises(SamplingError, match="temperature must be a number above 0"):
        SampleSettings(temperature=temperature)


def test_unknown_prime_characters_are_named_or_dropped(sampler) -> None:
    with pytest.raises(SamplingError, match="never saw: '€'"):
        sampler.sample("the €king", 10)
    cleaned, warnings = sampler.clean_prime("the €king", drop_unknown=True)
    assert cleaned == "the king" and "'€'" in warnings[0]
    assert len(sampler.sample(cleaned, 10)) == 10


def test_beam_search_returns_the_best_continuations_in_order(sampler) -> None:
    beams = sampler.beam_search("ROMEO", 4, 12)
    assert len(beams) == 4
    scores = [score for _, score in beams]
    assert scores == sorted(scores, reverse=True)
    assert all(len(text) == 12 for text, _ in beams)
    assert len({text for text, _ in beams}) == 4
    # A beam's score is its log-probability: check the best one step by step.
    text, score = beams[0]
    total = 0.0
    for index, char in enumerate(text):
        distribution = sampler.next_char_distribution("ROMEO" + text[:index], 1.0)
        total += math.log(distribution[sampler.vocabulary.index(char)])
    assert total == pytest.approx(score, abs=1e-4)
    greedy = sampler.sample("ROMEO", 12, SampleSettings(greedy=True))
    assert (
        score
        >= sum(
            math.log(
                sampler.next_char_distribution("ROMEO" + greedy[:i], 1.0)[
                    sampler.vocabulary.index(greedy[i])
                ]
            )
            for i in range(12)
        )
        - 1e-6
    )


def test_line_mode_gives_whole_names_with_the_prefix(trained_names, names) -> None:
    sampler = Sampler.from_model(trained_names.model, names.vocabulary, line_mode=True)
    lines = sampler.sample_lines("ar", 20, SampleSettings(temperature=0.8, seed=5))
    assert len(lines) == 20
    for line in lines:
        assert line.startswith("ar") and "\n" not in line
        assert len(line) < 30  # generation stopped at the end of the line
    assert sum(line[2:].isalpha() and len(line) > 2 for line in lines) >= 15
    beams = sampler.beam_search("ar", 3, 20)
    assert all("\n" not in text for text, _ in beams)
    with pytest.raises(SamplingError, match="no newlines"):
        sampler.sample("ar\nbo", 5)


def test_sampler_does_not_follow_the_live_model(trained_shakespeare, shakespeare) -> None:
    import copy

    model = copy.deepcopy(trained_shakespeare.model)
    sampler = Sampler.from_model(model, shakespeare.vocabulary)
    before = sampler.sample("A", 40, SampleSettings(seed=2))
    for parameter in model.parameters():
        parameter.data.mul_(0.0)
    assert sampler.sample("A", 40, SampleSettings(seed=2)) == before


@pytest.mark.parametrize("cell", ["rnn", "rnn-relu", "lstm", "gru", "sru"])
@pytest.mark.parametrize("embedding_size", [16, 32])
def test_stepping_reproduces_the_fused_model(shakespeare, cell: str, embedding_size: int) -> None:
    """The NumPy steps the sampler takes give the logits the trained model gives."""
    import torch
    from engine_helpers import tiny_model

    from rnnlab.core.models import CharModel
    from rnnlab.core.stepping import NumpyStepper

    torch.manual_seed(5)
    model = CharModel(tiny_model(shakespeare, cell, layers=2, embedding_size=embedding_size))
    model.eval()
    codes = shakespeare.vocabulary.encode("First Citizen:\nBefore we proceed").astype(np.int64)
    with torch.no_grad():
        expected, _ = model(torch.from_numpy(codes).unsqueeze(0))
    stepper = NumpyStepper.from_model(model)
    states = stepper.initial_states(1)
    for position, code in enumerate(codes):
        logits, states = stepper.step(np.array([code]), states)
        np.testing.assert_allclose(logits[0], expected[0, position].numpy(), atol=2e-5)


class OneAtATime(Sampler):
    """The same network, beam-searched one beam at a time: the path an n-gram model takes."""

    def _beam_states(self, state):
        return CharSampler._beam_states(self, state)

    def _advance_beams(self, codes, states, origin):
        return CharSampler._advance_beams(self, codes, states, origin)


def test_beams_one_at_a_time_equal_beams_in_one_batch(sampler) -> None:
    one_at_a_time = OneAtATime(sampler.stepper, sampler.vocabulary)
    batched = sampler.beam_search("ROMEO", 5, 20)
    single = one_at_a_time.beam_search("ROMEO", 5, 20)
    assert [text for text, _ in single] == [text for text, _ in batched]
    assert np.allclose([score for _, score in single], [score for _, score in batched])


def test_log_probability_of_a_continuation_adds_up_each_character(sampler) -> None:
    continuation = " the king"
    expected = sum(
        math.log(sampler.next_char_distribution("ROMEO:" + continuation[:index])[
            sampler.vocabulary.index(char)])
        for index, char in enumerate(continuation)
    )  # fmt: skip
    assert sampler.log_probability("ROMEO:", continuation) == pytest.approx(expected, abs=1e-6)
    with pytest.raises(SamplingError, match="never saw"):
        sampler.log_probability("ROMEO:", "€")


def test_an_ngram_model_beam_searches_too(shakespeare) -> None:
    train, _, _ = split_for_ngrams(shakespeare, 0.9)
    model = NgramModel(NgramCounts(train, len(shakespeare.vocabulary), 3), 3)
    markov = NgramSampler(model, shakespeare.vocabulary)
    beams = markov.beam_search("the ", 3, 10)
    assert [len(text) for text, _ in beams] == [10, 10, 10]
    best_text, best_score = beams[0]
    assert best_score == pytest.approx(markov.log_probability("the ", best_text))
    greedy = markov.sample("the ", 10, SampleSettings(greedy=True))
    assert best_score >= markov.log_probability("the ", greedy) - 1e-9


def test_mean_entropy_is_that_of_each_distribution_drawn_from(sampler) -> None:
    from rnnlab.core.sampling import mean_entropy

    settings = SampleSettings(temperature=0.7, seed=3)
    text = sampler.sample("ROMEO:", 40, settings)
    slow = []
    for index in range(len(text)):
        distribution = sampler.next_char_distribution("ROMEO:" + text[:index], 0.7)
        kept = distribution[distribution > 0]
        slow.append(-float((kept * np.log(kept)).sum()))
    assert mean_entropy(sampler, "ROMEO:", text, settings) == pytest.approx(np.mean(slow), rel=1e-6)
    # Hotter dice, more uncertainty; top-k cuts it; greedy has none.
    cold = mean_entropy(sampler, "ROMEO:", text, SampleSettings(temperature=0.3))
    hot = mean_entropy(sampler, "ROMEO:", text, SampleSettings(temperature=2.0))
    cut = mean_entropy(sampler, "ROMEO:", text, SampleSettings(temperature=2.0, top_k=3))
    assert cold < np.mean(slow) < hot and cut < min(hot, math.log(3) + 1e-9)
    assert mean_entropy(sampler, "ROMEO:", text, SampleSettings(greedy=True)) == 0.0
