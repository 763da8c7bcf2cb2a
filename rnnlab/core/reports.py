"""What the trainer yields: a report per step, per validation, and when a step is refused."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StepReport:
    step: int  # steps completed so far, this one included
    loss: float  # nats per character
    bits_per_char: float
    grad_norm: float  # global L2 norm of the gradient, before clipping
    clipped: bool  # whether clipping changed the gradient
    learning_rate: float
    chars_per_second: float  # this step's throughput
    chars: int  # characters whose loss counted in this step
    chars_seen: int = 0  # characters trained on so far, this step included
    training_seconds: float = 0.0  # seconds spent in training steps so far, this one included


@dataclass(frozen=True)
class EvalReport:
    step: int
    loss: float  # validation loss, nats per character (a numeric task's: squared error)
    bits_per_char: float
    perplexity: float
    accuracy: float = math.nan  # a symbol task's share of right answers; NaN on text


@dataclass(frozen=True)
class DivergenceReport:
    step: int  # the step that was refused; the weights are those after step - 1
    reason: str  # what was not finite, for people


Report = StepReport | EvalReport | DivergenceReport


def validation_bits(item: Mapping[str, Any]) -> float:
    """A history validation entry's loss in bits per character: a word or BPE run's as stored
    (over the characters its tokens spell), else its loss per character / ln 2."""
    return float(item.get("bits_per_char", item["loss"] / math.log(2.0)))
