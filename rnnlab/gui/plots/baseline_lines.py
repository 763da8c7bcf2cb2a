"""Baseline lines on the loss plot: what n-gram (Markov) models reach on the runs' validation
characters, as horizontal labelled lines such as "6-gram (Kneser–Ney) 1.56".

The lines are the plot's own labelled lines (``StepPlot._add_line``), so they take its colours,
font scale and presentation mode without code of their own here. Values arrive in nats per
character; ``set_unit`` shows them in the plot's unit.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt

from rnnlab.gui.plots.plot_base import StepPlot
from rnnlab.gui.plots.plot_data import UNITS, convert_loss

ROLE = "baseline"  # its colour in rnnlab.gui.widgets.style.ROLE_COLOURS
STYLE = Qt.PenStyle.DashLine
BELOW_CURVES = 0.5  # the smoothed curves and validation points lie at 1 to 3


def baseline_label(name: str, nats: float, unit: str) -> str:
    """"6-gram (Kneser–Ney) 1.56": two decimals in nats and bits, three significant digits in
    perplexity (4.78, 12.0, 28.4; whole numbers from 100)."""
    value = float(convert_loss(nats, unit))
    if unit != "perplexity":
        shown = f"{value:.2f}"
    else:
        shown = f"{value:.0f}" if value >= 100 else f"{value:#.3g}"
    return f"{name} {shown}"


class BaselineLines:
    """The baseline lines drawn on one plot: replaced as a whole by ``show``."""

    def __init__(self, plot: StepPlot, unit: str = "nats") -> None:
        self._plot = plot
        self._unit = unit
        self._baselines: list[tuple[str, float]] = []  # (name, nats per character)
        self._lines: list[pg.InfiniteLine] = []

    def show(self, baselines: list[tuple[str, float]]) -> None:
        """Draw these (name, nats per character) lines instead of those drawn; non-finite
        values are left out (a model that could not be scored)."""
        for line in self._lines:
            self._plot._remove_line(line)
        self._baselines = [(name, nats) for name, nats in baselines if math.isfinite(nats)]
        self._lines = [
            self._plot._add_line(
                self._value(nats), baseline_label(name, nats, self._unit), ROLE, STYLE,
                at_start=True,
            )
            for name, nats in self._baselines
        ]
        for line in self._lines:
            # Labelled at the left and under the runs' curves (over the faint per-step loss):
            # a network nears a baseline at the right end of its curve, and that end, not the
            # label, is what the class reads.
            line.setZValue(BELOW_CURVES)

    def set_unit(self, unit: str) -> None:
        """Show the values in ``unit`` (nats, bits or perplexity), as the plot does."""
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
        self._unit = unit
        for line, (name, nats) in zip(self._lines, self._baselines):
            line.setValue(self._value(nats))
            # pyqtgraph reads the label as a format string: braces stay literal.
            label = baseline_label(name, nats, self._unit)
            line.label.setFormat(label.replace("{", "{{").replace("}", "}}"))

    def labels(self) -> list[str]:
        """The texts of the lines as drawn, top of the list first."""
        return [line.label.toPlainText() for line in self._lines]

    def values(self) -> list[float]:
        """Where the lines are, in the plot's unit."""
        return [float(line.value()) for line in self._lines]

    def _value(self, nats: float) -> float:
        return float(convert_loss(nats, self._unit))
