"""n-gram baselines on the runs' validation characters, the build's program, and n-gram samples."""

from __future__ import annotations

import math
import pickle
import subprocess

import numpy as np
import pytest

from rnnlab.core.corpus import Corpus, load_corpus
from rnnlab.core.errors import SamplingError
from rnnlab.core.ngram import NgramCounts, NgramModel, ngram_training_codes, split_for_ngrams
from rnnlab.core.ngram_baselines import (
    BuildRequest,
    BuildResult,
    baseline_losses,
    build,
    child_command,
    child_environment,
    effective_orders,
)
from rnnlab.core.ngram_sampling import NgramSampler
from rnnlab.core.sampling import SampleSettings
from rnnlab.core.validation_layout import stream_layout, validation_text

FRACTION = 0.1
ORDERS = range(1, 6)


@pytest.fixture(scope="module")
def sonnets() -> Corpus:
    return load_corpus("sonnets")


@pytest.fixture(scope="module")
def sonnet_counts(sonnets: Corpus) -> NgramCounts:
    train, _, _ = split_for_ngrams(sonnets, FRACTION)
    return NgramCounts(train, len(sonnets.vocabulary), max(ORDERS))


@pytest.fixture(scope="module")
def names() -> Corpus:
    return load_corpus("names")


def test_stream_baselines_score_the_counted_characters_in_their_corpus_context(
    sonnets, sonnet_counts
) -> None:
    """The same as scoring the whole text and averaging at the runs' target positions."""
    settings = {"batch_size": 8, "seq_len": 32, "eval_chars": 2_000}
    text = validation_text(sonnets, fraction=FRACTION, context=max(ORDERS) - 1, **settings)
    losses = baseline_losses(sonnet_counts, text, ORDERS)
    layout = stream_layout(len(sonnets.codes), FRACTION, **settings)
    positions = layout.target_positions()
    codes = np.asarray(sonnets.codes, dtype=np.int64)
    for order, loss in zip(ORDERS, losses):
        everywhere = NgramModel(sonnet_counts, order).probabilities(codes)
        assert loss == pytest.approx(-np.mean(np.log(everywhere[positions])))
    assert losses[0] > losses[1] > losses[2]  # context helps, at first


def test_line_baselines_start_each_line_afresh(names) -> None:
    """Each character given only its own line so far, by the model of the order that fills:
    what sampling a name from its first letter does."""
    train, _, _ = split_for_ngrams(names, FRACTION)
    counts = NgramCounts(train, len(names.vocabulary), 4)
    text = validation_text(
        names, batch_size=4, seq_len=16, fraction=FRACTION, eval_chars=300, context=3
    )
    losses = baseline_losses(counts, text, [1, 4])
    sampler = NgramSampler(NgramModel(counts, 4), names.vocabulary, line_mode=True)
    expected = []
    for target in text.targets:
        line = names.vocabulary.decode(text.codes[text.piece_starts[target] + 1 : target])
        distribution = np.exp(sampler.next_char_logits(line))
        expected.append(-math.log(distribution[text.codes[target]]))
    assert losses[1] == pytest.approx(np.mean(expected))
    assert effective_orders(text, 4).min() == 2  # a line's first letter: after its newline
    assert losses[1] < losses[0]


def test_the_build_program_answers_through_its_pipes(sonnets) -> None:
    """The window's child process: a request on stdin, a result on stdout; bad input, a
    message instead of a traceback."""
    train, _, _ = split_for_ngrams(sonnets, FRACTION)
    text = validation_text(
        sonnets, batch_size=8, seq_len=32, fraction=FRACTION, eval_chars=2_000, context=2
    )
    requests = [
        BuildRequest(train, len(sonnets.vocabulary), 3, text),
        BuildRequest(train[:2], len(sonnets.vocabulary), 3, None),  # too short for order 3
    ]
    replies = []
    for request in requests:
        done = subprocess.run(
            child_command(), input=pickle.dumps(request), capture_output=True,
            env=child_environment(), timeout=120, check=True,
        )  # fmt: skip
        replies.append(pickle.loads(done.stdout))
    kind, result = replies[0]
    assert kind == "ok" and isinstance(result, BuildResult)
    assert list(result.losses) == pytest.approx(baseline_losses(result.counts, text, [1, 2, 3]))
    assert result.seconds > 0 and result.peak_bytes > 0
    assert replies[1] == ("error", "2 training characters are too few for order 3")


def test_a_build_without_validation_characters_still_counts(sonnets) -> None:
    train, _, _ = split_for_ngrams(sonnets, FRACTION)
    result = build(BuildRequest(train, len(sonnets.vocabulary), 2, None))
    assert result.losses == () and result.counts.max_order == 2


def test_ngram_samples_use_the_corpus_alphabet_and_the_temperature(
    sonnets, sonnet_counts
) -> None:
    sampler = NgramSampler(NgramModel(sonnet_counts, 5), sonnets.vocabulary)
    text = sampler.sample("Shall I", 400, SampleSettings(temperature=0.8, seed=4))
    assert len(text) == 400 and set(text) <= set(sonnets.vocabulary.chars)
    assert sampler.sample("Shall I", 50, SampleSettings(seed=4)) == sampler.sample(
        "Shall I", 50, SampleSettings(seed=4)
    )
    # Temperature T gives P^(1/T), renormalised.
    plain = sampler.next_char_distribution("the sum", 1.0)
    sharp = sampler.next_char_distribution("the sum", 0.5)
    np.testing.assert_allclose(sharp, plain**2 / np.sum(plain**2), rtol=1e-9)
    greedy = sampler.sample("the sum", 1, SampleSettings(greedy=True))
    assert greedy == sonnets.vocabulary.chars[int(np.argmax(plain))]
    with pytest.raises(SamplingError, match="never saw"):
        sampler.sample("€", 5)


def test_a_short_prime_reads_as_a_start(sonnets, sonnet_counts) -> None:
    """Fewer characters than the order's context: the model of the order they fill, and the
    history grows character by character up to order - 1."""
    sampler = NgramSampler(NgramModel(sonnet_counts, 5), sonnets.vocabulary)
    codes = sonnets.vocabulary.encode("Th").astype(np.int64)
    np.testing.assert_allclose(
        np.exp(sampler.next_char_logits("Th")), NgramModel(sonnet_counts, 3).distribution(codes)
    )
    logits, state = sampler._start("")
    for step in range(6):
        logits, state = sampler._advance(int(np.argmax(logits)), state)
        assert len(state) == min(step + 2, 4)


@pytest.mark.parametrize("name", ["sonnets", "names"])
def test_the_window_counts_the_first_training_codes_without_copying_the_rest(name: str) -> None:
    # The window counts at most MAX_COUNTED_CHARS characters of a long text; it used to copy
    # every code to int64 first (2.4 GB and two seconds of its thread for a 300 MB text).
    corpus = load_corpus(name)
    train, _, _ = split_for_ngrams(corpus, FRACTION)
    first, training_chars = ngram_training_codes(corpus, FRACTION, 1_000)
    assert training_chars == len(train) > 1_000
    assert first.dtype == np.int64 and np.array_equal(first, train[:1_000])
    everything, _ = ngram_training_codes(corpus, FRACTION, 10**9)
    assert np.array_equal(everything, train)
