"""The checks of the lessons on sampling: "Temperature and search" and "Names generator". Each
trains the lesson's run headless for a budget of steps (``rnnlab.core.lesson_training``), then
samples from it as the window's sample panel does (``rnnlab.core.sampling``)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch

from rnnlab.core.corpus import Corpus
from rnnlab.core.lesson import Lesson
from rnnlab.core.lesson_training import (
    CheckResult,
    final_loss,
    lesson_race,
    lesson_source,
    number,
    race_to_the_end,
    set_values,
)
from rnnlab.core.models import CharModel
from rnnlab.core.race import Lane
from rnnlab.core.sampling import Sampler, SampleSettings, log_softmax
from rnnlab.core.vocabulary import Vocabulary

SAMPLE_CHARS = 200  # per temperature: enough characters for a steady mean entropy
# The beam search the lesson sets on the sample panel (beamSpin, lengthSpin), these if it
# sets none.
BEAM_WIDTH, BEAM_CHARS = 5, 30
NAMES = 20  # surnames sampled with the lesson's prefix
WINDOW_TEMPERATURE = 0.8  # the sample panel's default temperature
# The sample panel's temperature slider (rnnlab/gui/panels/sample_panel.py), which a lesson
# sets by position: 0 to 1000 on a log scale from 0.05 to 3. Repeated here because the engine
# cannot import the window; tests/core/test_builtin_lessons.py checks that the two agree.
SLIDER_LOW, SLIDER_HIGH, SLIDER_POSITIONS = 0.05, 3.0, 1000


def slider_temperature(position: int) -> float:
    """The temperature at a position of the sample panel's slider."""
    return SLIDER_LOW * (SLIDER_HIGH / SLIDER_LOW) ** (position / SLIDER_POSITIONS)


def _trained(lesson: Lesson, steps: int) -> tuple[Corpus, Lane] | None:
    """The lesson's corpus and its first run trained for ``steps`` steps (its last step
    validated); None where the lesson trains on a task."""
    corpus = lesson_source(lesson)
    if not isinstance(corpus, Corpus):
        return None
    lane = race_to_the_end(lesson_race(list(lesson.runs[:1]), corpus, steps)).lanes[0]
    return corpus, lane


def _prime(lesson: Lesson, default: str) -> str:
    primes = set_values(lesson, "primeEdit")
    return primes[-1] if primes else default


def _last_number(lesson: Lesson, object_name: str, default: int) -> int:
    """The last whole number the lesson sets on a spin box, or ``default``."""
    values = [int(value) for value in set_values(lesson, object_name) if value.isdigit()]
    return values[-1] if values else default


def check_temperature(lesson: Lesson, steps: int) -> CheckResult:
    """At the temperatures the lesson sets on the slider, in rising order, the mean entropy of
    the distributions each sample was drawn from rises; and beam search's best continuation
    of the lesson's prime is at least as likely as greedy decoding's (greedy takes the
    likeliest character at each step, beam search keeps the lesson's beamSpin candidates and
    can see further)."""
    positions = {int(value) for value in set_values(lesson, "temperatureSlider") if value.isdigit()}
    temperatures = sorted(slider_temperature(position) for position in positions)
    trained = _trained(lesson, steps)
    if trained is None or len(temperatures) < 2:
        return CheckResult(False, "it needs a corpus and steps that set two or more "
                                  "temperatures on temperatureSlider")  # fmt: skip
    corpus, model = trained[0], trained[1].trainer.model
    sampler = Sampler.from_model(model, corpus.vocabulary)
    prime = _prime(lesson, "\n")
    entropies = []
    for temperature in temperatures:
        sample = sampler.sample(prime, SAMPLE_CHARS, SampleSettings(temperature, seed=0))
        entropies.append(_mean_entropy(model, corpus.vocabulary, prime + sample, len(prime),
                                       temperature))  # fmt: skip
    rising = all(low < high for low, high in itertools.pairwise(entropies))
    width = _last_number(lesson, "beamSpin", BEAM_WIDTH)
    length = _last_number(lesson, "lengthSpin", BEAM_CHARS)
    greedy = sampler.sample(prime, length, SampleSettings(greedy=True))
    greedy_score = _log_probability(model, corpus.vocabulary, prime, greedy)
    beam, beam_score = sampler.beam_search(prime, width, length)[0]
    # 1e-6: the two add up the same probabilities in another order (NumPy, torch)
    passed = rising and beam_score >= greedy_score - 1e-6
    shown = ", ".join(f"T {temperature:.2f}: {entropy:.2f}"
                      for temperature, entropy in zip(temperatures, entropies))  # fmt: skip
    return CheckResult(passed, f"{steps} steps; mean entropy (nats/char) {shown}; after "
                               f"{prime!r}: greedy {greedy!r} log-probability "
                               f"{greedy_score:.2f}, beam of {width} {beam!r} "
                               f"{beam_score:.2f}")  # fmt: skip


def _logits(model: CharModel, vocabulary: Vocabulary, text: str) -> np.ndarray:
    """(len(text), V) float64: the model's next-character logits after each character of
    ``text``, from a zero state, without dropout."""
    codes = torch.from_numpy(vocabulary.encode(text).astype(np.int64)).unsqueeze(0)
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        logits, _ = model(codes, model.initial_state(1))
    model.train(was_training)
    return logits[0].to(torch.float64).numpy()


def _mean_entropy(model: CharModel, vocabulary: Vocabulary, text: str, start: int,
                  temperature: float) -> float:  # fmt: skip
    """Mean entropy (nats) of the distributions at ``temperature`` that drew ``text[start:]``."""
    scaled = _logits(model, vocabulary, text)[start - 1 : -1] / temperature
    log_probabilities = log_softmax(scaled)
    return float(-(np.exp(log_probabilities) * log_probabilities).sum(axis=-1).mean())


def _log_probability(model: CharModel, vocabulary: Vocabulary, prime: str, text: str) -> float:
    """ln P(text | prime) under the model (nats)."""
    log_probabilities = log_softmax(_logits(model, vocabulary, prime + text))
    codes = vocabulary.encode(text).astype(np.int64)
    rows = np.arange(len(prime) - 1, len(prime) - 1 + len(text))
    return float(log_probabilities[rows, codes].sum())


def check_surnames(lesson: Lesson, steps: int) -> CheckResult:
    """In line mode, after ``steps`` steps, NAMES sampled names all start with the lesson's
    prefix and end on their own (a newline) well before the sampler's limit, and the model
    predicts better than guessing uniformly (ln V). Measured beside it: how many names were
    seen in training, how many are real surnames it never saw (validation lines), and how many
    are new."""
    prefixes = set_values(lesson, "primeEdit")
    trained = _trained(lesson, steps)
    if trained is None or not prefixes or not trained[0].line_mode:
        return CheckResult(False, "it needs a line-mode corpus and a step that sets a prefix "
                                  "on primeEdit")  # fmt: skip
    corpus, lane = trained
    trainer, prefix, loss = lane.trainer, prefixes[-1], final_loss(lane)
    sampler = Sampler.from_model(trainer.model, corpus.vocabulary, line_mode=True)
    limit = 40  # characters after the prefix; a surname has about 8
    names = sampler.sample_lines(prefix, NAMES, SampleSettings(WINDOW_TEMPERATURE, seed=0), limit)
    # Seen: a training line, which the model may have learned by heart; real: a surname of the
    # list it never trained on (the validation lines); new: in neither, made up.
    seen = [name for name in names if name in trainer.data.training_lines]
    listed = set(corpus.lines)
    real = [name for name in names if name in listed and name not in seen]
    new = [name for name in names if name not in listed]
    prefixed = all(name.startswith(prefix) for name in names)
    ended = all(len(name) < len(prefix) + limit for name in names)
    learned = loss < math.log(len(corpus.vocabulary))
    return CheckResult(prefixed and ended and learned,
                       f"{steps} steps, validation {number(loss)} nats (uniform "
                       f"{number(math.log(len(corpus.vocabulary)))}); {len(names)} names after "
                       f"{prefix!r}: {len(seen)} seen in training, {len(real)} real but "
                       f"never seen, {len(new)} new: "
                       f"{', '.join(names[:8])}")  # fmt: skip
