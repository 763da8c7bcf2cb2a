"""The NumPy side of the training plots: growing point buffers, loss units and smoothing.

Kept apart from the widgets because none of it needs Qt: the functions are tested on plain arrays.
"""

from __future__ import annotations

import math

import numpy as np

# "token": nats per token, each run's own unit (``LossScalePlot`` scales each run's losses by its
# characters per token; a character run's stay as they are).
UNITS = ("nats", "bits", "perplexity", "token")


def convert_loss(nats: np.ndarray | float, unit: str) -> np.ndarray:
    """Nats per character to the display unit: bits = nats / ln 2, perplexity = exp(nats)."""
    values = np.array(nats, dtype=np.float64)
    if unit == "bits":
        return values / math.log(2.0)
    if unit == "perplexity":
        with np.errstate(over="ignore"):  # a diverged loss becomes inf, which plots leave out
            return np.exp(values)
    if unit not in ("nats", "token"):
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    return values


def debiased_moving_average(
    values: np.ndarray,
    decay: float,
    biased: float,
    count: int,
    spans: np.ndarray | None = None,
) -> tuple[np.ndarray, float, int]:
    """Exponential moving average, debiased like Adam so the first points are not pulled to 0.

    ``decay`` in [0, 1) is the weight on the past (0: the values themselves). Continues from the
    state (biased average, number of finite values so far) and returns the smoothed values and
    the new state. Non-finite values (a diverged loss) are skipped rather than poisoning every
    later point. Vectorised in chunks short enough that decay ** -n stays below 1e100, which
    leaves room for losses up to about 1e200 before anything overflows.

    ``spans``: how many steps each value stands for, where old points were thinned (see
    ``run_series``). A value standing for k steps gets decay ** k, as if the loss had held that
    value for all k steps: the result approximates the average of the full-resolution loss, and
    is exact where every span is 1.
    """
    values = np.asarray(values, dtype=np.float64)
    if decay == 0.0:
        return _latest_finite(values, biased, count, spans)
    if spans is not None and np.any(spans != 1):
        return _spanned_moving_average(values, decay, biased, count, spans)
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


def _spanned_moving_average(
    values: np.ndarray, decay: float, biased: float, count: int, spans: np.ndarray
) -> tuple[np.ndarray, float, int]:
    """The moving average over values standing for ``spans`` steps each (see above)."""
    finite = np.isfinite(values)
    # A value standing for more steps than decay ** steps >= 1e-100 allows has wiped out the past
    # anyway: counting it as that many keeps each chunk's factors above 1e-100.
    most = max(1, int(-100.0 / math.log10(decay)))
    steps = np.where(finite, np.minimum(np.asarray(spans, dtype=np.int64), most), 0)
    reach = np.cumsum(steps)
    smoothed = np.empty(len(values), dtype=np.float64)
    start = 0
    while start < len(values):
        before = reach[start - 1] if start else 0
        end = max(start + 1, int(np.searchsorted(reach, before + most, side="right")))
        end = min(end, start + 256, len(values))
        factors = np.cumprod(decay ** steps[start:end].astype(np.float64))
        chunk = np.where(finite[start:end], values[start:end], 0.0)
        inputs = (1.0 - decay ** steps[start:end]) * chunk
        running = factors * (biased + np.cumsum(inputs / factors))
        counts = count + np.cumsum(np.where(finite[start:end], spans[start:end], 0))
        with np.errstate(invalid="ignore", divide="ignore"):  # no finite value yet: NaN
            smoothed[start:end] = running / (1.0 - decay ** counts.astype(np.float64))
        biased, count = float(running[-1]), int(counts[-1])
        start = end
    return smoothed, biased, count


def _latest_finite(
    values: np.ndarray, biased: float, count: int, spans: np.ndarray | None = None
) -> tuple[np.ndarray, float, int]:
    """No smoothing: each value, a non-finite one replaced by the latest finite value before it."""
    finite = np.isfinite(values)
    latest = np.maximum.accumulate(np.where(finite, np.arange(len(values)), -1))
    before = biased if count else np.nan  # the state: the latest finite value so far
    smoothed = np.where(latest >= 0, values[np.maximum(latest, 0)], before)
    if finite.any():
        biased = float(values[latest[-1]])
    counted = finite if spans is None else np.where(finite, spans, 0)
    return smoothed, biased, count + int(counted.sum())


class GrowingArray:
    """Append-only NumPy storage whose capacity doubles, so N appends cost O(N) in total.

    ``limit``: doubling stops there (a buffer that is thinned before it passes a known size need
    not take twice that size); beyond it the capacity doubles again."""

    def __init__(self, dtype: type, capacity: int = 1024, limit: int | None = None) -> None:
        self._buffer = np.empty(capacity, dtype=dtype)
        self._size = 0
        self._limit = limit

    def __len__(self) -> int:
        return self._size

    def append(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=self._buffer.dtype).reshape(-1)
        needed = self._size + len(values)
        if needed > len(self._buffer):
            doubled = 2 * len(self._buffer)
            if self._limit is not None and needed <= self._limit:
                doubled = min(doubled, self._limit)
            grown = np.empty(max(needed, doubled), dtype=self._buffer.dtype)
            grown[: self._size] = self._buffer[: self._size]
            self._buffer = grown  # views handed out earlier keep the old buffer, unchanged
        self._buffer[self._size : needed] = values
        self._size = needed

    def view(self) -> np.ndarray:
        """The values without copying; appends never change what an earlier view shows (but
        appends after ``truncate`` may: they write where the dropped values were)."""
        return self._buffer[: self._size]

    def truncate(self, size: int) -> None:
        """Keep the first ``size`` values."""
        self._size = min(max(0, size), self._size)

    def clear(self) -> None:
        self._size = 0

    @property
    def nbytes(self) -> int:
        """Bytes held, the unused capacity included."""
        return int(self._buffer.nbytes)
