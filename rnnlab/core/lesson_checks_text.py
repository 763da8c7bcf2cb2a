"""The checks of the lessons on text: "Inside an LSTM", "Samples over training", "Markov against
RNN" and "The cell race on real text". Each trains the lesson's own runs headless for a budget
of steps (``rnnlab.core.lesson_training``) and measures what the lesson shows."""

from __future__ import annotations

import math

import numpy as np

from rnnlab.core.config import count_parameters
from rnnlab.core.corpus import Corpus
from rnnlab.core.lesson import Lesson
from rnnlab.core.lesson_training import (
    CheckResult,
    final_loss,
    lesson_race,
    lesson_source,
    number,
    race_to_the_end,
    run_trainer,
    runs_with_cells,
)
from rnnlab.core.ngram import NgramCounts, split_for_ngrams, validation_losses
from rnnlab.core.probe import probe
from rnnlab.core.sampling import Sampler, SampleSettings

PROBE_CHARS = 400  # a probe of a few Shakespeare lines: several line ends and first words
SATURATED = 0.1  # a gate below 0.1 or above 0.9 is saturated: nearly shut or fully open
# Measured on seeds 0-2: after 50-100 steps the best unit's |r| was 0.83-0.86 and 42-51% of
# the gates saturated; untrained, 0.53-0.56 and none.
TRACKS_LINE, SATURATED_SHARE = 0.7, 0.25
NGRAM_ORDERS = range(1, 7)  # on tinyshakespeare the best order is 6 (README); 7 and 8 are worse
# "Small enough that 2,000 steps take about a minute on a CPU": a step's work grows with the
# weights times the characters in a batch. The lesson's 1 x 128 LSTM (111,873 weights) on
# batches of 32 x 64 characters is 2.3e8 of them and took 21 ms a step on one core, so 2,000
# steps take 42 s, about a minute with the window drawing beside it.
SMALL_WORK = 2.5e8
LEARNED_NATS = 1.0  # samples over training: the loss must fall by at least this much


def _corpus(lesson: Lesson) -> Corpus | None:
    source = lesson_source(lesson)
    return source if isinstance(source, Corpus) else None


def unigram_entropy(corpus: Corpus) -> float:
    """Nats per character of guessing by letter frequencies alone (the unigram baseline)."""
    shares = corpus.char_counts[corpus.char_counts > 0] / corpus.char_counts.sum()
    return float(-(shares * np.log(shares)).sum())


def check_inside_lstm(lesson: Lesson, steps: int) -> CheckResult:
    """After ``steps`` steps, on a probe of a few validation lines: some unit's cell state
    follows the position in the line, |r| >= TRACKS_LINE (an untrained network's best unit
    reaches about 0.55, by the newline's input alone), and at least SATURATED_SHARE of the
    input, forget and output gate values are saturated, below 0.1 or above 0.9 (untrained:
    none). The LSTM must also beat letter frequencies, and its gates lie within [0, 1]."""
    corpus, lstm = _corpus(lesson), runs_with_cells(lesson, ("lstm",))
    if corpus is None or not lstm:
        return CheckResult(False, "it needs a corpus and an LSTM run")
    race = race_to_the_end(lesson_race(lstm[:1], corpus, steps))
    lane = race.lanes[0]
    loss, unigram = final_loss(lane), unigram_entropy(corpus)
    passage = _validation_passage(corpus)
    result = probe(lane.trainer.model, corpus.vocabulary, passage)
    gates = result.layers[0].gates
    opening = np.concatenate([gates[name].ravel() for name in ("i", "f", "o")])
    in_range = bool(((opening >= 0) & (opening <= 1)).all())
    saturated = float(np.mean((opening < SATURATED) | (opening > 1 - SATURATED)))
    unit, correlation = best_unit(gates["c"], position_in_line(result.input_text))
    passed = (in_range and loss < unigram and abs(correlation) >= TRACKS_LINE
              and saturated >= SATURATED_SHARE)  # fmt: skip
    return CheckResult(passed, f"{steps} steps: unit {unit}'s cell state follows the position "
                               f"in the line with r = {correlation:+.2f} (needs |r| >= "
                               f"{TRACKS_LINE}); {saturated:.0%} of i, f, o saturated (needs "
                               f">= {SATURATED_SHARE:.0%}); validation {number(loss)} nats "
                               f"against {number(unigram)} by letter frequencies; gates "
                               f"within [0, 1]: {in_range}")  # fmt: skip


def _validation_passage(corpus: Corpus) -> str:
    """PROBE_CHARS characters from the start of a line in the text's last tenth, which the
    networks validate on."""
    start = corpus.text.index("\n", len(corpus.text) * 9 // 10) + 1
    return corpus.text[start : start + PROBE_CHARS]


def position_in_line(text: str) -> np.ndarray:
    """(T,) how many characters of its line come before each one."""
    positions, count = [], 0
    for char in text:
        positions.append(count)
        count = 0 if char == "\n" else count + 1
    return np.array(positions, dtype=np.float64)


def best_unit(states: np.ndarray, feature: np.ndarray) -> tuple[int, float]:
    """The unit (column of ``states``, (T, H)) whose values correlate most with ``feature``
    (T,) in size, and that correlation; a unit that never changes correlates with nothing."""
    centred = states - states.mean(axis=0)
    target = feature - feature.mean()
    spread = np.linalg.norm(centred, axis=0) * np.linalg.norm(target)
    correlations = np.divide(centred.T @ target, spread, out=np.zeros(states.shape[1]),
                             where=spread > 0)  # fmt: skip
    unit = int(np.abs(correlations).argmax())
    return unit, float(correlations[unit])


def check_samples_over_training(lesson: Lesson, steps: int) -> CheckResult:
    """A precondition of the lesson, not its point: the timeline of samples over 2,000 steps
    takes a minute, too long for a test. The lesson's model must be small: weights times
    characters per batch at most SMALL_WORK, which is what lets 2,000 steps run in about a
    minute on a CPU (counted, not timed: a check never measures wall time). And within
    ``steps`` steps its validation loss must fall by LEARNED_NATS: the samples then change
    visibly. Measured beside it: a sample before training and after."""
    corpus = _corpus(lesson)
    if corpus is None:
        return CheckResult(False, "it needs a corpus")
    trainer = run_trainer(lesson.runs[0], corpus)
    parameters = count_parameters(trainer.model.config)
    work = parameters * trainer.config.batch_size * trainer.config.seq_len
    settings = SampleSettings(temperature=0.8, seed=0)
    before_loss = trainer.evaluate().loss
    before = Sampler.from_model(trainer.model, corpus.vocabulary).sample("\n", 40, settings)
    for _ in trainer.run(max_steps=steps):
        pass
    after_loss = trainer.evaluate().loss
    after = Sampler.from_model(trainer.model, corpus.vocabulary).sample("\n", 40, settings)
    passed = work <= SMALL_WORK and after_loss <= before_loss - LEARNED_NATS
    return CheckResult(passed, f"{parameters:,} weights x {trainer.config.batch_size} x "
                               f"{trainer.config.seq_len} characters = {work:.2g} a step (at "
                               f"most {SMALL_WORK:.2g}); validation {number(before_loss)} nats "
                               f"at step 0, {number(after_loss)} at step {steps}; sample at "
                               f"step 0 {before!r}, at step {steps} {after!r}")  # fmt: skip


def check_markov(lesson: Lesson, steps: int) -> CheckResult:
    """The n-gram baselines on the lesson's corpus, counted on the networks' training split
    and scored on their validation split, improve with context: the best order's loss is
    below the bigram's, which is below the unigram's. The lesson's runs, trained ``steps``
    steps, are measured against those lines (reported, not checked: where a network stands
    after a short budget says nothing about where it ends)."""
    corpus = _corpus(lesson)
    if corpus is None:
        return CheckResult(False, "it needs a corpus")
    race = race_to_the_end(lesson_race(list(lesson.runs), corpus, steps))
    fraction = race.lanes[0].trainer.config.validation_fraction
    train, codes, start = split_for_ngrams(corpus, fraction)
    counts = NgramCounts(train, len(corpus.vocabulary), max(NGRAM_ORDERS))
    losses = validation_losses(counts, codes, start, NGRAM_ORDERS, "kneser-ney")
    unigram, bigram = losses[0], losses[1]
    best = int(np.argmin(losses))
    networks = all(math.isfinite(final_loss(lane)) for lane in race.lanes)
    passed = losses[best] < bigram < unigram and networks
    runs = ", ".join(f"{lane.name} {number(final_loss(lane))}" for lane in race.lanes)
    return CheckResult(passed, f"n-grams: unigram {number(unigram)}, bigram {number(bigram)}, "
                               f"best order {NGRAM_ORDERS[best]} {number(losses[best])} nats; "
                               f"after {steps} steps: {runs} nats")  # fmt: skip


def check_cell_race(lesson: Lesson, steps: int) -> CheckResult:
    """Raced by steps, every run gets exactly ``steps`` steps on the same batches, and every
    run's validation loss is finite and below guessing uniformly (ln V). Measured beside it:
    the training seconds each took for them, which is what a race by seconds equalises."""
    corpus = _corpus(lesson)
    if corpus is None:
        return CheckResult(False, "it needs a corpus")
    race = race_to_the_end(lesson_race(list(lesson.runs), corpus, steps))
    uniform = math.log(len(corpus.vocabulary))
    equal = all(lane.steps == steps and not lane.diverged for lane in race.lanes)
    learned = all(final_loss(lane) < uniform for lane in race.lanes)
    runs = "; ".join(f"{lane.name} {lane.steps} steps{' (diverged)' if lane.diverged else ''}, "
                     f"{number(final_loss(lane))} nats, {lane.seconds:.1f} s"
                     for lane in race.lanes)  # fmt: skip
    return CheckResult(equal and learned, f"budget {steps} steps each, uniform guessing "
                                          f"{number(uniform)} nats: {runs}")
