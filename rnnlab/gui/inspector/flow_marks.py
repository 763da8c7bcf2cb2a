"""The answer and the marked positions of a task sequence on the gradient-flow curve.

Distance 0 is the answer (the last position); each position the answer depends on gets a dashed
vertical line at its distance back, labelled with what it is ("marked", "remembered", "event"),
and a hollow diamond where each drawn curve crosses it. Whether the curve still has height at
those lines is the whole question of these tasks: a gradient that has faded to nothing there
cannot teach the model to keep what it read. Drawn in the text colour, dashed and labelled, so
that they read without telling colours apart and never pass for a layer's curve.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from rnnlab.core.probe_result import ProbeResult
from rnnlab.gui.inspector.task_marks import mark_word, marked_distances
from rnnlab.gui.plots.series_plot import log10_or_nan

# Label heights (fractions of the view from the bottom): the answer's at the top, the marks'
# below it and staggered, so that marks a step apart do not print their labels over each other.
_ANSWER_HEIGHT = 0.95
_MARK_HEIGHTS = (0.84, 0.73, 0.62)
TEXT_TOOLTIP = (
    "How strongly the loss at the last character depends on the hidden state d steps\n"
    "earlier: ‖∂L/∂h‖, the signal training uses to learn from that far back.\n"
    "A straight fall on this log axis is a vanishing gradient (like w^d): the model\n"
    "cannot learn what it would have needed to remember. Thin curves: earlier probes.\n"
    "With several runs: each run's latest curve at the layer chosen above, in its colour.\n"
    "A curve that stops: ‖∂L/∂h‖ is exactly 0 from there back (it underflowed)."
)
TASK_TOOLTIP = (
    "How strongly the loss of the answer (asked at the last position, distance 0) depends\n"
    "on the hidden state d steps earlier: ‖∂L/∂h‖, the signal training uses to learn from\n"
    "that far back. Dashed lines and diamonds: the positions the answer depends on. Where\n"
    "the curve has faded to nothing at them, the model cannot learn to remember them.\n"
    "Thin curves: earlier probes (other sequences, so their marks lie elsewhere)."
)


def _line(height: float) -> pg.InfiniteLine:
    line = pg.InfiniteLine(
        angle=90, movable=False, label="",
        # Beside the line, on whichever side has more of the view: never cut off at an edge.
        labelOpts={"position": height, "anchors": [(0, 0.5), (1, 0.5)]},
    )  # fmt: skip
    line.setZValue(4)  # over the trail, under the newest curves' diamonds
    return line


class FlowMarks:
    """The task's lines and diamonds on one plot; nothing is shown on a text probe."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self._plot = plot
        self._answer = _line(_ANSWER_HEIGHT)
        self._answer.label.setFormat("answer")
        plot.addItem(self._answer, ignoreBounds=True)
        self._lines: list[pg.InfiniteLine] = []
        self.diamonds = pg.ScatterPlotItem(symbol="d", pxMode=True)
        self.diamonds.setZValue(6)
        plot.addItem(self.diamonds, ignoreBounds=True)
        self._style: tuple[QColor, QColor, QFont, float] | None = None
        self._distances = np.zeros(0, np.int64)
        self.hide()

    def show(self, probe: ProbeResult | None, drawn: Mapping[str, np.ndarray]) -> None:
        """Mark ``probe``'s answer and marked distances; ``drawn``: the norms by distance of
        every newest curve on the plot, for the diamonds and to tell where none arrives."""
        if probe is None or not probe.task:
            self.hide()
            return
        self._distances = marked_distances(probe)
        while len(self._lines) < len(self._distances):
            line = _line(_MARK_HEIGHTS[len(self._lines) % len(_MARK_HEIGHTS)])
            self._plot.addItem(line, ignoreBounds=True)
            self._lines.append(line)
        self._answer.setVisible(True)
        word = mark_word(probe.task)
        xs, ys = [], []
        for index, line in enumerate(self._lines):
            line.setVisible(index < len(self._distances))
            if index >= len(self._distances):
                continue
            distance = int(self._distances[index])
            line.setValue(distance)
            heights = [log10_or_nan(norms[distance : distance + 1])[0]
                       for norms in drawn.values() if distance < len(norms)]  # fmt: skip
            reached = [height for height in heights if np.isfinite(height)]
            xs += [distance] * len(reached)
            ys += reached
            # Where every curve has stopped, there is no diamond to see: say it in words.
            text = word if reached or not heights else f"{word}: no gradient reaches it"
            line.label.setFormat(text)
        self.diamonds.setData(x=xs, y=ys)
        self.diamonds.setVisible(True)
        self._apply_style()

    def hide(self) -> None:
        self._distances = np.zeros(0, np.int64)
        self.diamonds.setData(x=[], y=[])
        for item in (self._answer, self.diamonds, *self._lines):
            item.setVisible(False)

    def distances(self) -> list[int]:
        """The marked distances drawn, nearest the answer first."""
        return [int(distance) for distance in self._distances]

    def labels(self) -> list[str]:
        """The texts beside the lines shown: "answer" first, then one per marked distance."""
        shown = [line for line in (self._answer, *self._lines) if line.isVisible()]
        return [line.label.format for line in shown]

    def restyle(self, ink: QColor, paper: QColor, font: QFont, scale: float) -> None:
        """The text colour for lines, labels and outlines; labels on a translucent backing of
        ``paper`` (the background), readable where they cross a curve."""
        self._style = (QColor(ink), QColor(paper), QFont(font), scale)
        self._apply_style()

    def _apply_style(self) -> None:
        if self._style is None:
            return
        ink, paper, font, scale = self._style
        backing = QColor(paper)
        backing.setAlpha(210)
        # The answer solid and thin (it is where the curve starts), the marks dashed and bold.
        self._answer.setPen(pg.mkPen(ink, width=1.2 * scale))
        for line in self._lines:
            line.setPen(pg.mkPen(ink, width=2.0 * scale, style=Qt.PenStyle.DashLine))
        for line in (self._answer, *self._lines):
            line.label.setColor(ink)
            line.label.setFont(font)
            line.label.fill = pg.mkBrush(backing)
            line.label.update()
        # Hollow (the background's fill) with a dark outline: reads on any layer's colour.
        self.diamonds.setSize(round(14 * scale))
        self.diamonds.setPen(pg.mkPen(ink, width=2.0 * scale))
        self.diamonds.setBrush(pg.mkBrush(paper))
