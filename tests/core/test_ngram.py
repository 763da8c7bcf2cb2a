"""Character n-gram baselines: exact on a corpus small enough to work out by hand, normalised
everywhere, and as good as the published recipe on tinyshakespeare."""

import math

import numpy as np
import pytest

from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.core.errors import ConfigError
from rnnlab.core.ngram import NgramCounts, NgramModel, split_for_ngrams, validation_losses

A, B = 0, 1


def test_a_corpus_worked_out_by_hand() -> None:
    """Train on "abab", then predict "ba" after it, with the bigram model.

    Unigrams use continuation counts: "a" follows only "b" and "b" only "a", so both are 1;
    n1 = 2, n2 = 0 gives D = 1 and the uniform 1/2. Bigram raw counts: ab 2, ba 1; n1 = n2 = 1
    gives D = 1/3. After "b" (seen once, followed by one kind of character):
    P(a | b) = (1 - 1/3) / 1 + (1/3) * 1/1 * 1/2 = 5/6 and P(b | b) = 1/6.
    """
    counts = NgramCounts(np.array([A, B, A, B]), vocab_size=2, max_order=2)
    model = NgramModel(counts, 2)
    codes = np.array([A, B, A, B, B, A])
    np.testing.assert_allclose(model.probabilities(codes, start=4), [1 / 6, 5 / 6])
    assert model.loss(codes, start=4) == pytest.approx(-(math.log(1 / 6) + math.log(5 / 6)) / 2)
    # After "a" (seen twice, always followed by "b"): (2 - 1/3) / 2 + (1/3) * 1/2 * 1/2.
    np.testing.assert_allclose(model.distribution(np.array([A])), [1 / 12, 11 / 12])
    # add-k at the bigram order alone: (c(hw) + k) / (c(h) + k V), here k = 0.5.
    add_half = NgramModel(counts, 2, "add-k", add_k=0.5)
    np.testing.assert_allclose(add_half.probabilities(codes, start=4), [0.25, 0.75])


@pytest.fixture(scope="module")
def sonnets() -> Corpus:
    return load_corpus("sonnets")


@pytest.fixture(scope="module")
def sonnet_counts(sonnets: Corpus) -> tuple[NgramCounts, np.ndarray, int]:
    train, codes, start = split_for_ngrams(sonnets, 0.1)
    return NgramCounts(train, len(sonnets.vocabulary), 6), codes, start


@pytest.mark.parametrize("smoothing", ["kneser-ney", "add-k"])
def test_every_context_is_a_distribution(sonnet_counts, smoothing: str) -> None:
    """Seen contexts, unseen ones, short ones and none: the probabilities sum to 1."""
    counts, codes, start = sonnet_counts
    rng = np.random.default_rng(0)
    histories = [codes[start + 100 : start + 105], codes[:0], codes[start : start + 1]]
    histories += [rng.integers(0, counts.vocab_size, 5) for _ in range(5)]  # mostly unseen
    for order in (1, 3, 6):
        model = NgramModel(counts, order, smoothing)
        for history in histories:
            distribution = model.distribution(history)
            assert distribution.min() > 0
            assert distribution.sum() == pytest.approx(1.0, abs=1e-9)


def test_distribution_agrees_with_the_probability_of_the_text(sonnet_counts) -> None:
    counts, codes, start = sonnet_counts
    model = NgramModel(counts, 5)
    for position in (start + 7, start + 300, len(codes) - 1):
        history = codes[position - 4 : position]
        expected = model.probabilities(codes[: position + 1], start=position)[0]
        assert model.distribution(history)[codes[position]] == pytest.approx(expected)


def test_kneser_ney_beats_add_k_from_order_4(sonnet_counts) -> None:
    counts, codes, start = sonnet_counts
    orders = range(4, 7)
    kneser_ney = validation_losses(counts, codes, start, orders, "kneser-ney")
    add_k = validation_losses(counts, codes, start, orders, "add-k")
    assert all(kn < ak for kn, ak in zip(kneser_ney, add_k)), (kneser_ney, add_k)
    assert add_k[-1] > add_k[0]  # add-k gets worse as contexts become rare


def test_a_sample_is_repeatable_and_made_of_the_corpus_characters(sonnets, sonnet_counts):
    counts, codes, start = sonnet_counts
    model = NgramModel(counts, 6)
    first = model.sample(300, codes[start : start + 5], seed=3)
    assert np.array_equal(first, model.sample(300, codes[start : start + 5], seed=3))
    text = sonnets.vocabulary.decode(first)
    assert len(text) == 300 and " " in text  # words, not noise
    assert model.loss(np.concatenate([codes[:start], first]), start) < 2.5  # it likes its own text


def test_line_mode_validates_on_the_networks_validation_lines() -> None:
    names = load_corpus("names")
    train, codes, start = split_for_ngrams(names, 0.1)
    text = names.vocabulary.decode(codes[start:])
    assert text.endswith("\n") and len(text.splitlines()) > 100
    training_lines = set(names.vocabulary.decode(train).splitlines())
    assert not training_lines & set(text.splitlines())  # no name on both sides


def test_bad_orders_say_what_is_wrong() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        NgramCounts(np.array([0, 1]), 2, 0)
    counts = NgramCounts(np.array([0, 1, 0]), 2, 2)
    with pytest.raises(ConfigError, match=r"outside 1\.\.2"):
        NgramModel(counts, 3)
    with pytest.raises(ConfigError, match="unknown smoothing"):
        NgramModel(counts, 2, "witten-bell")


@pytest.mark.slow
def test_tinyshakespeare_matches_the_reference_recipe() -> None:
    """The first 90 % trains, the last 10 % validates (continuing from the training text):
    published recipe's numbers, within 0.02 nats/char."""
    corpus = load_corpus("tinyshakespeare")
    train, codes, start = split_for_ngrams(corpus, 0.1)
    counts = NgramCounts(train, len(corpus.vocabulary), 6)
    kneser_ney = validation_losses(counts, codes, start, range(2, 7, 4), "kneser-ney")
    assert kneser_ney == pytest.approx([2.484, 1.558], abs=0.02)
    add_k = validation_losses(counts, codes, start, range(4, 7), "add-k")
    assert add_k[1] == pytest.approx(1.750, abs=0.02) and add_k[1] < min(add_k[0], add_k[2])
