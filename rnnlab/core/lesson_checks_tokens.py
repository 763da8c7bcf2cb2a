"""The check of the lesson "Characters, words and pieces": the same LSTM raced by steps on one
text read in characters, words and BPE pieces, compared per character."""

from __future__ import annotations

import math

from rnnlab.core.corpus import Corpus
from rnnlab.core.lesson import Lesson
from rnnlab.core.lesson_training import (
    CheckResult,
    lesson_race,
    lesson_source,
    number,
    race_to_the_end,
)
from rnnlab.core.race import Lane
from rnnlab.core.reports import validation_bits
from rnnlab.core.token_batching import TokenStreamData
from rnnlab.core.token_corpus import unknown_share
from rnnlab.core.token_facts import DEPENDENCY_CHARACTERS, memory_distance


def check_tokens(lesson: Lesson, steps: int) -> CheckResult:
    """Raced by steps, every run takes ``steps`` steps and its last validation, in bits per
    character, is below guessing the text's characters uniformly (log2 V); a dependency 25
    characters back is fewer tokens back the longer the unit's tokens (words < pieces <
    characters); the word run has unknown words (the share its loss is flattered by)."""
    source = lesson_source(lesson)
    if not isinstance(source, Corpus):
        return CheckResult(False, "it needs a corpus")
    race = race_to_the_end(lesson_race(list(lesson.runs), source, steps))
    uniform = math.log2(len(source.vocabulary))
    readings = {lane.name: _reading(lane) for lane in race.lanes}
    units = {lane.name: lane.trainer.config.tokens for lane in race.lanes}
    distances = {units[name]: distance for name, (_, distance, _) in readings.items()}
    learned = all(
        lane.steps == steps and not lane.diverged and readings[lane.name][0] < uniform
        for lane in race.lanes
    )
    closer = (distances.get("word", math.inf) < distances.get("bpe:500", math.inf)
              < DEPENDENCY_CHARACTERS)  # fmt: skip
    unknown = next((share for name, (_, _, share) in readings.items() if units[name] == "word"),
                   0.0)  # fmt: skip
    shown = "; ".join(
        f"{name} {number(bits)} bits/char, 25 characters = {distance:.1f} tokens back"
        + (f", {share:.1%} unknown" if share else "")
        for name, (bits, distance, share) in readings.items()
    )
    measured = f"budget {steps} steps each, uniform {number(uniform)} bits: {shown}"
    return CheckResult(learned and closer and unknown > 0, measured)


def _reading(lane: Lane) -> tuple[float, float, float]:
    """(last validation in bits per character, tokens back a dependency of 25 characters lies,
    the validation text's unknown share) of a lane."""
    evaluations = lane.trainer.history.evaluations
    last = evaluations[-1] if evaluations else {"loss": math.nan}
    bits = validation_bits(last)
    data = lane.trainer.data
    if not isinstance(data, TokenStreamData):  # characters: one a token
        return bits, float(DEPENDENCY_CHARACTERS), 0.0
    return bits, memory_distance(data.corpus.position_characters), unknown_share(data.corpus)
