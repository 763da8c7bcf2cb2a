"""How one symbol is drawn from a model's scores: the sampling settings (temperature, top-k,
top-p, greedy, seed), the weights a draw uses, and the draw. NumPy only; ``rnnlab.core.sampling``
runs the loop around it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnlab.core.errors import SamplingError


@dataclass(frozen=True)
class SampleSettings:
    temperature: float = 1.0  # > 0; below 1 sharpens the distribution, above 1 flattens it
    top_k: int | None = None  # keep only the k most likely characters
    top_p: float | None = None  # keep the smallest set whose probability reaches p (nucleus)
    greedy: bool = False  # always the most likely character
    seed: int | None = None

    def __post_init__(self) -> None:
        check_temperature(self.temperature)
        if self.top_k is not None and self.top_k < 1:
            raise SamplingError(f"top-k must be at least 1, got {self.top_k}")
        if self.top_p is not None and not 0.0 < self.top_p <= 1.0:
            raise SamplingError(f"top-p must be in (0, 1], got {self.top_p}")


def check_temperature(temperature: float) -> None:
    if not (
        isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0
    ):
        raise SamplingError(
            f"temperature must be a number above 0, got {temperature!r} "
            "(for the single most likely character use greedy sampling)"
        )


def choose(logits: np.ndarray, settings: SampleSettings, rng: np.random.Generator) -> int:
    """One character index from logits (V,) float64 under the settings.

    Runs once per sampled character, so it avoids normalising when it can: drawing u uniformly
    below the last cumulative weight is the same as drawing from the normalised distribution.
    """
    if settings.greedy:
        return int(logits.argmax())
    weights = draw_weights(logits, settings)
    cumulative = weights.cumsum()
    index = int(cumulative.searchsorted(rng.random() * cumulative[-1], side="right"))
    return min(index, weights.size - 1)


def draw_weights(logits: np.ndarray, settings: SampleSettings) -> np.ndarray:
    """The weights (V,) a sample draws the next character with, not normalised: the scores at
    the temperature, top-k's and top-p's cut characters at 0. Overwrites a copy, never
    ``logits``."""
    scaled = logits * (1.0 / settings.temperature)
    if settings.top_k is not None and settings.top_k < scaled.size:
        threshold = np.partition(scaled, -settings.top_k)[-settings.top_k]
        scaled[scaled < threshold] = -np.inf
    scaled -= scaled.max()
    weights = np.exp(scaled, out=scaled)
    if settings.top_p is not None and settings.top_p < 1.0:
        order = np.argsort(weights)[::-1]
        cumulative = np.cumsum(weights[order])
        cut = int(np.searchsorted(cumulative, settings.top_p * cumulative[-1])) + 1
        weights[order[cut:]] = 0.0  # outside the nucleus
    return weights
