"""Other runs drawn over the inspector's gradient-flow and spectral-norm plots.

The window keeps each run's latest inspection and a short history of its spectral norms
(``rnnlab.gui.window.run_inspections``) and hands the plots ``RunTrace`` values: frozen NumPy
data with the run's name and colour index, nothing of the training side. As on the loss plots
(``rnnlab.gui.plots.run_plot``), a plot that has only one run looks as it did before runs
existed, one colour per layer; from the second run on, colours (and dash patterns) name runs,
every run is drawn at the layer chosen in the probe bar, and a legend beside the plot names the
runs (under a line naming the layer, when a model has several).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from rnnlab.core.probe_result import Inspection
from rnnlab.gui.plots.run_styles import run_colour, run_pen_style
from rnnlab.gui.plots.series_plot import LegendEntry, SeriesPlot
from rnnlab.gui.widgets.style import faded, is_dark

# Legend swatches this long (pixels at font scale 1): a whole period of every dash pattern, as
# on the loss plots; pyqtgraph's 20 pixels make every run's line look solid.
SWATCH_LENGTH = 36.0


def _no_steps() -> np.ndarray:
    return np.zeros(0, np.int64)


def _no_norms() -> np.ndarray:
    return np.zeros((0, 0))


@dataclass(frozen=True, eq=False)  # eq=False: NumPy arrays have no single truth value
class RunTrace:
    """One run as the inspector's overlays draw it. The arrays are the window's copies: nothing
    writes to them after they are handed over."""

    run: int
    name: str
    index: int  # colour and dash pattern (rnnlab.gui.plots.run_styles)
    visible: bool = True  # ticked in the run table
    latest: Inspection | None = None  # the run's newest probe; None before its first
    spectral_steps: np.ndarray = field(default_factory=_no_steps)  # (N,) int64
    # (N, layers) σ_max of each layer's W_hh at those steps; (N, 0) for SRU, which has none.
    spectral_norms: np.ndarray = field(default_factory=_no_norms)

    @property
    def layers(self) -> int:
        """Layers of the run's model; 0 while it has no probe."""
        return 0 if self.latest is None else len(self.latest.probe.layers)


class RunOverlays:
    """What one plot keeps to draw other runs: the runs, the chosen layer, a curve per other
    run (made on first use, removed with the run) and a legend swatch per run. The plot decides
    what each curve shows; this keeps the curves and gives them their run's pen."""

    def __init__(self, plot: SeriesPlot, width: float) -> None:
        self._plot, self._width = plot, width  # the other runs' curves' width at scale 1
        self.current: RunTrace | None = None  # the run the plot draws in full
        self.others: tuple[RunTrace, ...] = ()  # every other run, hidden ones included
        self.layer = 0  # 0-based: the probe bar's choice
        self._curves: dict[int, pg.PlotDataItem] = {}  # other runs' curves, in the plot
        self._swatches: dict[int, pg.PlotDataItem] = {}  # legend swatches, never in the plot
        self._blank = pg.PlotDataItem(pen=None)  # the swatch of the legend's header: none

    @property
    def several(self) -> bool:
        """Whether colours name runs: from the second run on, hidden or not (as the loss
        plots), so that ticking a run off does not recolour the others."""
        return bool(self.others) and self.current is not None

    def set_runs(self, current: RunTrace | None, others: Sequence[RunTrace]) -> None:
        self.current, self.others = current, tuple(others)
        kept = {trace.run for trace in self.others}
        for run in [run for run in self._curves if run not in kept]:
            self._plot.removeItem(self._curves.pop(run))  # a deleted run: its curve goes
        self._swatches = {
            run: swatch
            for run, swatch in self._swatches.items()
            if run in kept or (current is not None and run == current.run)
        }
        self.restyle()

    def shown(self) -> list[RunTrace]:
        """The current run and the visible others, in the order the runs were made (their
        colour index): the legend keeps its order when another run becomes current."""
        traces = [trace for trace in self.others if trace.visible]
        traces += [self.current] if self.current is not None else []
        return sorted(traces, key=lambda trace: trace.index)

    def curve(self, run: int) -> pg.PlotDataItem:
        """Another run's curve, under the current run's (z 2) and over the grid."""
        if run not in self._curves:
            curve = self._plot._curve(None)  # unnamed: the plot builds its legend itself
            curve.setZValue(1)
            self._curves[run] = curve
            self.restyle()
        return self._curves[run]

    def curves(self) -> dict[int, pg.PlotDataItem]:
        return dict(self._curves)

    def hide_curves(self, keep: Collection[int] = ()) -> None:
        for run, curve in self._curves.items():
            if run not in keep:
                curve.setVisible(False)

    def header(self, layer: int) -> list[LegendEntry]:
        """The legend's first line, "layer 2", while any shown run has several layers: once,
        rather than after every run's name."""
        if not any(trace.layers > 1 for trace in self.shown()):
            return []
        length = SWATCH_LENGTH * self._plot.font_scale()
        return [LegendEntry(self._blank, f"layer {layer + 1}", length)]

    def colour(self, trace: RunTrace, strength: float = 1.0) -> QColor:
        """The run's colour, faded towards the background by ``strength`` yet opaque."""
        background = self._plot._palette_colour(QPalette.ColorRole.Base)
        return faded(run_colour(trace.index, is_dark(self._plot)), background, strength)

    def pen(self, trace: RunTrace, width: float, strength: float = 1.0, dashed: bool = True):
        style = run_pen_style(trace.index) if dashed else Qt.PenStyle.SolidLine
        return self._plot._pen(self.colour(trace, strength), width, style)

    def entry(self, trace: RunTrace, text: str, width: float) -> LegendEntry:
        """The run's legend line: a swatch in its pen, the current run's text bold."""
        swatch = self._swatches.setdefault(trace.run, pg.PlotDataItem())
        swatch.setPen(self.pen(trace, width))
        current = self.current is not None and trace.run == self.current.run
        length = SWATCH_LENGTH * self._plot.font_scale()
        return LegendEntry(swatch, text, length, bold=current)

    def restyle(self) -> None:
        """The other runs' curves in their pens (after a palette or font scale change)."""
        traces = {trace.run: trace for trace in self.others}
        for run, curve in self._curves.items():
            if run in traces:
                curve.setPen(self.pen(traces[run], self._width))
                curve.setSymbolBrush(self.colour(traces[run]))
                curve.setSymbolPen(None)
