"""What the gate heatmaps and the saturation plot share: colour levels per value range, a
character axis for probe positions, and a canvas (graphics, empty-state hint, hover line) that
follows the palette and the presentation font scale.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

from rnnlab.core.cell_names import MEANINGS
from rnnlab.core.probe_result import Inspection
from rnnlab.gui.widgets.style import base_point_size, faded, scaled_font, shown_token
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

# Sequential for values with one natural end (0), diverging with white at 0 for either sign.
_COLOUR_MAPS = {"sigmoid": "viridis", "relu": "viridis", "tanh": "CET-D1", "unbounded": "CET-D1"}


def nice_bound(value: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``value``: colour bars with
    round ends are read at a glance, and the bound moves seldom as training goes on."""
    if not math.isfinite(value) or value <= 1.0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(factor * power for factor in (1.0, 2.0, 5.0, 10.0) if factor * power >= value)


def largest_magnitude(values: np.ndarray) -> float:
    """The largest finite |value| (0 for none): a diverged model's inf must not blow the scale."""
    magnitudes = np.abs(values[np.isfinite(values)])
    return float(magnitudes.max()) if magnitudes.size else 0.0


def colour_levels(value_range: str, largest: float) -> tuple[float, float]:
    """Fixed levels for a value range; relu and unbounded values grow with ``largest`` (the
    largest |value| seen so far) in nice steps, symmetric about 0 where either sign occurs."""
    if value_range == "sigmoid":
        return 0.0, 1.0
    if value_range == "tanh":
        return -1.0, 1.0
    bound = nice_bound(largest)
    return (0.0, bound) if value_range == "relu" else (-bound, bound)


def colour_map(value_range: str) -> pg.ColorMap:
    return pg.colormap.get(_COLOUR_MAPS[value_range])  # bundled with pyqtgraph: no download


def short_title(cell: str, name: str) -> str:
    """ "forget gate", "cell state", "candidate g": the MEANINGS line up to its colon or
    formula (words with "_" or "=" start the formula)."""
    head = MEANINGS[cell][name].split(":")[0]
    words = list(itertools.takewhile(lambda word: not set(word) & set("_="), head.split()))
    return " ".join(words) or name


def wrapped(text: str, width: int) -> list[str]:
    """Words greedily joined into lines of at most ``width`` characters (longer words alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


class CharAxis(pg.AxisItem):
    """Probe positions labelled with the character read there: every character when zoomed in,
    every 2nd, 5th, 10th... when they would overlap; ``marked`` positions (a task's) always."""

    def __init__(self, orientation: str = "bottom") -> None:
        super().__init__(orientation)
        self._labels: list[str] = []
        self._marked: tuple[int, ...] = ()
        self._label_width = 10.0  # pixels a label needs, with a gap

    def set_text(self, text: Sequence[str], marked: Sequence[int] = ()) -> None:
        # A word or BPE token is cut to 6 characters: the label must not hide its neighbours.
        labels, marked = [shown_token(char, 6) for char in text], tuple(map(int, marked))
        if labels != self._labels or marked != self._marked:
            self._labels, self._marked = labels, marked
            self._measure()
            self.picture = None  # pyqtgraph's cached drawing
            self.update()

    def setTickFont(self, font: QFont | None) -> None:
        super().setTickFont(font)
        self._measure()

    def _measure(self) -> None:
        metrics = QFontMetricsF(self.style["tickFont"] or self.font())
        widest = max((metrics.horizontalAdvance(label) for label in set(self._labels)), default=0)
        self._label_width = widest + max(6.0, metrics.averageCharWidth())

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N803
        first, last = max(0, math.ceil(minVal)), min(len(self._labels) - 1, math.floor(maxVal))
        if last < first or size <= 0 or maxVal <= minVal:
            return []
        pixels_per_position = size / (maxVal - minVal)
        steps = (factor * 10**power for power in itertools.count() for factor in (1, 2, 5))
        step = next(step for step in steps if step * pixels_per_position >= self._label_width)
        start = math.ceil(first / step) * step
        values = range(start, last + 1, step)
        # What the answer depends on is always labelled; the regular labels it would overlap
        # give way to it.
        near = self._label_width / pixels_per_position
        values = [value for value in values if all(abs(value - m) >= near for m in self._marked)]
        values += [m for m in self._marked if first <= m <= last]
        return [(float(step), [float(value) for value in sorted(values)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        positions = (round(value) for value in values)
        return [self._labels[p] if 0 <= p < len(self._labels) else "" for p in positions]


class InspectorCanvas(QWidget):
    """A GraphicsLayoutWidget with an empty-state hint in its place until there is data, and a
    status line under it for hover readouts. Subclasses restyle their items in ``_restyle``."""

    def __init__(self, name: str, status_hint: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._base_point_size = base_point_size(self)
        self._font_scale = 1.0
        self._status_hint = status_hint
        self._hint_shown: bool | None = None  # None until show_hint first decides
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.ci.setContentsMargins(4, 4, 4, 4)
        self.hint = QLabel(EMPTY_HINT, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.hint.setObjectName(f"{name}Hint")
        self.status = QLabel(status_hint, objectName=f"{name}Status")
        # Long readouts are cut at the right rather than widening the window.
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._stack = QStackedLayout()
        self._stack.addWidget(self.hint)
        self._stack.addWidget(self.graphics)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._stack, stretch=1)
        layout.addWidget(self.status)
        self._inspection: Inspection | None = None
        self._layer = 0  # asked for; see layer()
        self._ready = True

    def set_layer(self, layer: int) -> None:
        self._layer = max(0, int(layer))
        if self._inspection is not None:
            self._update()

    def layer(self) -> int:
        """The layer shown: the one asked for, or the last if the model has fewer."""
        layers = len(self._inspection.probe.layers) if self._inspection else 1
        return min(self._layer, layers - 1)

    def _update(self) -> None:
        """Show ``self._inspection`` for ``self.layer()``."""
        raise NotImplementedError

    def show_hint(self, text: str | None) -> None:
        """The hint in place of the graphics, or (None) the graphics. Called on every update:
        only a change of what is shown resets the status line, so a value read by hovering
        stays while new probes arrive."""
        if text is not None:
            self.hint.setText(text)
        if self._hint_shown == (text is not None):
            return
        self._hint_shown = text is not None
        self._stack.setCurrentWidget(self.hint if text is not None else self.graphics)
        self.status.setVisible(text is None)
        self.status.setText(self._status_hint)

    def showing_hint(self) -> bool:
        return self._stack.currentWidget() is self.hint

    def set_font_scale(self, scale: float) -> None:
        self._font_scale = max(0.5, float(scale))
        self._restyle()

    def font_scale(self) -> float:
        return self._font_scale

    def point_size(self, factor: float = 1.0) -> float:
        return self._base_point_size * factor * self._font_scale

    def scaled_font(self, factor: float = 1.0, bold: bool = False) -> QFont:
        return scaled_font(self.font(), self.point_size(factor), bold)

    def palette_colour(self, role: QPalette.ColorRole, strength: float = 1.0) -> QColor:
        """A palette colour, faded towards the background (Base) by ``strength``."""
        palette = self.palette()
        return faded(palette.color(role), palette.color(QPalette.ColorRole.Base), strength)

    def style_axis(self, axis: pg.AxisItem, label: str | None = None, factor: float = 1.0) -> None:
        """Palette colours, scaled fonts and plain numbers ("(x0.001)" is easy to misread)."""
        text = self.palette_colour(QPalette.ColorRole.Text)
        axis.enableAutoSIPrefix(False)
        axis.setPen(pg.mkPen(self.palette_colour(QPalette.ColorRole.Text, 0.6)))
        axis.setTextPen(text)
        axis.setTickFont(self.scaled_font(factor))
        # Two tick levels, not three: the third is a comb of one tick per unit.
        axis.setStyle(tickTextOffset=int(3 * self._font_scale), tickLength=-4, maxTickLevel=1)
        if label is not None:
            style = {"color": text.name(), "font-size": f"{self.point_size()}pt"}
            axis.setLabel(html.escape(label), **style)  # HTML: "< 0.1" would start a tag

    def _restyle(self) -> None:
        self.graphics.setBackground(self.palette().color(QPalette.ColorRole.Base))
        self.hint.setFont(self.scaled_font(1.2))
        self.status.setFont(self.scaled_font())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # It also arrives during construction, before there is anything to restyle.
        if event.type() == QEvent.Type.PaletteChange and getattr(self, "_ready", False):
            self._restyle()
