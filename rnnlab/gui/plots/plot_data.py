"""The NumPy side of the training plots: growing point buffers, loss units and smoothing.

Kept apart from the widgets because none of it needs Qt: the functions are tested on plain arrays.
"""

from __future__ import annotations

import math

import numpy as np

UNITS = ("nats", "bits", "perplexity")


def convert_loss(nats: np.ndarray | float, unit: str) -> np.ndarray:
    """Nats per character to the display unit: bits = nats / ln 2, perplexity = exp(nats)."""
    values = np.array(nats, dtype=np.float64)
    if unit == "bits":
        return values / math.log(2.0)
    if unit == "perplexity":
        with np.errstate(over="ignore"):  # a diverged loss becomes inf, which plots leave out
            return np.exp(values)
    if unit != "nats":
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    return values


def debiased_moving_average(
    values: np.ndarray, decay: float, biased: float, count: int
) -> tuple[np.ndarray, float, int]:
    """Exponential moving average, debiased like Adam so the first points are not pulled to 0.

    ``decay`` in [0, 1) is the weight on the past (0: the values themselves). Continues from the
    state (biased average, number of finite values so far) and returns the smoothed values and
    the new state. Non-finite values (a diverged loss) are skipped rather than poisoning every
    later point. Vectorised in chunks short enough that decay ** -n stays below 1e100, which
    leaves room for losses up to about 1e200 before anything overflows.
    """
    values = np.asarray(values, dtype=np.float64)
    if decay == 0.0:
        return _latest_finite(values, biased, count)
    length = max(1, min(256, int(-100.0 / math.log10(decay))))  # decay ** length >= 1e-100
    smoothed = np.empty(len(values), dtype=np.float64)
    for start in range(0, len(values), length):
        chunk = values[start : start + length]
        finite = np.isfinite(chunk)
        factors = np.cumprod(np.where(finite, decay, 1.0))
        inputs = np.where(finite, (1.0 - decay) * np.where(finite, chunk, 0.0), 0.0)
        running = factors * (biased + np.cumsum(inputs / factors))
        counts = count + np.cumsum(finite)
        with np.errstate(invalid="ignore", divide="ignore"):  # no finite value yet: NaN
            smoothed[start : start + len(chunk)] = running / (1.0 - decay**counts)
        biased, count = float(running[-1]), int(counts[-1])
    return smoothed, biased, count


def _latest_finite(values: np.ndarray, biased: float, count: int) -> tuple[np.ndarray, float, int]:
    """No smoothing: each value, a non-finite one replaced by the latest finite value before it."""
    finite = np.isfinite(values)
    latest = np.maximum.accumulate(np.where(finite, np.arange(len(values)), -1))
    before = biased if count else np.nan  # the state: the latest finite value so far
    smoothed = np.where(latest >= 0, values[np.maximum(latest, 0)], before)
    if finite.any():
        biased = float(values[latest[-1]])
    return smoothed, biased, count + int(finite.sum())


class GrowingArray:
    """Append-only NumPy storage whose capacity doubles, so N appends cost O(N) in total."""

    def __init__(self, dtype: type, capacity: int = 1024) -> None:
        self._buffer = np.empty(capacity, dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=self._buffer.dtype).reshape(-1)
        needed = self._size + len(values)
        if needed > len(self._buffer):
            grown = np.empty(max(needed, 2 * len(self._buffer)), dtype=self._buffer.dtype)
            grown[: self._size] = self._buffer[: self._size]
            self._buffer = grown  # views handed out earlier keep the old buffer, unchanged
        self._buffer[self._size : needed] = values
        self._size = needed

    def view(self) -> np.ndarray:
        """The values without copying; later appends never change what an earlier view shows."""
        return self._buffer[: self._size]

    def clear(self) -> None:
        self._size = 0
