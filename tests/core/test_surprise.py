"""Surprise: −ln p of each character given the text before it, in one pass; a typo lights up."""

import math

import numpy as np
import pytest

from rnnlab.core.models import CharModel
from rnnlab.core.ngram import NgramCounts, NgramModel
from rnnlab.core.ngram_sampling import NgramSampler
from rnnlab.core.sampling import Sampler, log_softmax
from rnnlab.core.surprise import BITS_PER_NAT, surprise_of


def slow_surprise(sampler, text: str, start: int) -> list[float]:
    """The definition, one prefix at a time: −log softmax of the logits after text[:i]."""
    codes = [sampler.vocabulary.index(char) for char in text]
    return [
        float(-log_softmax(sampler.next_char_logits(text[:i]))[codes[i]])
        for i in range(start, len(text))
    ]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_one_pass_equals_feeding_every_prefix(shakespeare, cell: str) -> None:
    from engine_helpers import tiny_model

    model = CharModel(tiny_model(shakespeare, cell, layers=2)).eval()  # random weights
    sampler = Sampler.from_model(model, shakespeare.vocabulary)
    text = "First Citizen:\nBefore we proceed"
    result = surprise_of(sampler, text)
    # The first character is the context (as in training): read, not scored.
    assert math.isnan(result.nats[0])
    np.testing.assert_allclose(result.nats[1:], slow_surprise(sampler, text, 1), rtol=1e-9)
    assert result.mean == pytest.approx(np.mean(result.nats[1:]))
    np.testing.assert_allclose(result.probabilities[1:], np.exp(-result.nats[1:]))
    np.testing.assert_allclose(result.bits, result.nats * BITS_PER_NAT)
    assert "".join(result.chars) == text and not result.unknown.any()
    logits = sampler.next_char_logits(text[:5])
    assert result.expected[5] == sampler.vocabulary.chars[int(logits.argmax())]
    assert result.expected_probability[5] == pytest.approx(np.exp(log_softmax(logits)).max())
    assert result.expected[0] == "" and math.isnan(result.expected_probability[0])


def test_in_line_mode_the_first_character_is_predicted_from_a_line_start(names) -> None:
    from engine_helpers import tiny_model

    model = CharModel(tiny_model(names)).eval()
    sampler = Sampler.from_model(model, names.vocabulary, line_mode=True)
    result = surprise_of(sampler, "emma")
    # next_char_logits in line mode reads a newline first: the start of a line.
    np.testing.assert_allclose(result.nats, slow_surprise(sampler, "emma", 0), rtol=1e-9)
    assert result.scored.all()


@pytest.fixture(scope="module")
def ngram_counts(shakespeare) -> NgramCounts:
    codes = shakespeare.vocabulary.encode(shakespeare.text)
    return NgramCounts(codes, len(shakespeare.vocabulary), 4)


@pytest.mark.parametrize("order", [3, 4])
@pytest.mark.parametrize("right, typo", [("the king", "the kimg"),
                                         ("and the king said", "and the kimg said")])  # fmt: skip
def test_a_typo_lights_up(shakespeare, ngram_counts, order, right, typo) -> None:
    sampler = NgramSampler(NgramModel(ngram_counts, order), shakespeare.vocabulary)
    correct, wrong = surprise_of(sampler, right), surprise_of(sampler, typo)
    at = typo.index("m")
    assert wrong.most_surprising(1)[0] in (at, at + 1)  # the typo, or the character it misleads
    assert wrong.mean > correct.mean + 0.5
    assert np.nanmax(wrong.nats) > np.nanmax(correct.nats) + 1.0


def test_a_trained_network_finds_the_typo_less_likely(trained_shakespeare, shakespeare) -> None:
    sampler = Sampler.from_model(trained_shakespeare.model, shakespeare.vocabulary)
    correct, wrong = surprise_of(sampler, "the king"), surprise_of(sampler, "the kimg")
    assert wrong.mean > correct.mean
    assert wrong.most_surprising(1)[0] in (6, 7)


def test_unknown_characters_are_marked_and_skipped(shakespeare, ngram_counts) -> None:
    sampler = NgramSampler(NgramModel(ngram_counts, 3), shakespeare.vocabulary)
    assert "€" not in shakespeare.vocabulary and "☃" not in shakespeare.vocabulary
    result = surprise_of(sampler, "the €king☃€")
    assert result.unknown.tolist() == [False] * 4 + [True] + [False] * 4 + [True, True]
    assert result.unknown_chars == ["€", "☃"]
    assert np.isnan(result.nats[result.unknown]).all()
    # Read as if the unknown characters were not there.
    plain = surprise_of(sampler, "the king")
    np.testing.assert_allclose(result.nats[~result.unknown], plain.nats)
    assert result.mean == pytest.approx(plain.mean)
    only_unknown = surprise_of(sampler, "€€")
    assert only_unknown.unknown.all() and math.isnan(only_unknown.mean)


def test_empty_text_gives_an_empty_result(shakespeare, ngram_counts) -> None:
    sampler = NgramSampler(NgramModel(ngram_counts, 3), shakespeare.vocabulary)
    result = surprise_of(sampler, "")
    assert len(result) == 0 and result.nats.shape == (0,) and result.unknown.shape == (0,)
    assert math.isnan(result.mean) and result.most_surprising(5) == []
    one = surprise_of(sampler, "t")  # only the context: nothing to score
    assert not one.scored.any() and math.isnan(one.mean)


def test_the_result_is_frozen(shakespeare, ngram_counts) -> None:
    result = surprise_of(NgramSampler(NgramModel(ngram_counts, 2), shakespeare.vocabulary), "ab")
    with pytest.raises(ValueError):
        result.nats[1] = 0.0
    assert result.most_surprising(1) == [1]
