"""Axis tick labels for the training plots: steps as 200k or 1.5M, and a readable log axis."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg


class StepAxis(pg.AxisItem):
    """Steps, characters or seconds as 2500, 200k, 1.5M, 2G: "1e+06" is easy to misread."""

    def tickStrings(self, values, scale, spacing):
        def text(value: float) -> str:
            if abs(value) >= 1e9:  # characters seen by a run left training overnight
                return f"{value / 1e9:g}G"
            if abs(value) >= 1e6:
                return f"{value / 1e6:g}M"
            return f"{value / 1e3:g}k" if abs(value) >= 1e4 else f"{value:g}"

        return [text(value * scale) for value in values]


class LogAxis(pg.AxisItem):
    """Log ticks at 1, 2 and 5 times powers of ten, written plainly (0.5, 10, 200) where short:
    1 to 9 collide at presentation sizes, and "10¹" beside "5" puzzles students."""

    def logTickStrings(self, values, scale, spacing):
        plain = [f"{10.0**value * scale:g}" for value in values]
        fancy = super().logTickStrings(values, scale, spacing)
        return [short if "e" not in short else long for short, long in zip(plain, fancy)]

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N803 (pyqtgraph API)
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        if maxVal - minVal < 1.0:  # under a decade: every tick fits
            return ticks
        wanted = np.log10([1.0, 2.0, 5.0]) if maxVal - minVal < 3.0 else np.zeros(1)
        return [
            (spacing, [v for v in values if np.isclose(v - math.floor(v), wanted).any()])
            for spacing, values in ticks
        ]
