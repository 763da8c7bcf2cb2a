"""The gradient norm before clipping per step, on a log axis, of one run or several: every visible
run's norm in its colour, the current run's clipping markers and threshold line."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from rnnlab.gui.plots.plot_axes import LogAxis, StepAxis
from rnnlab.gui.plots.run_plot import PlottedRun, RunPlot
from rnnlab.gui.plots.run_series import RunSeries

_DATA_NAMES = ("steps", "grad_norms", "clipped", "chars", "seconds")


class GradNormPlot(RunPlot):
    """Gradient norm before clipping per step on a log axis, with the clipping threshold."""

    _TITLE = "gradient norm (before clipping)"

    def __init__(self, parent=None) -> None:
        super().__init__(
            "gradNormPlot", self._TITLE, "gradient norm", parent=parent,
            axisItems={"left": LogAxis("left"), "bottom": StepAxis("bottom")},
        )  # fmt: skip
        # Only the axis is logarithmic; the curves get log10 values computed once per point.
        # pyqtgraph's log mode would take log10 of the whole history on every redraw.
        self.getAxis("left").setLogMode(False, True)
        self.norm_curve = self._curve("gradient norm")
        self.norm_curve.setZValue(1)  # the current run over the others
        self.clip_markers = self._curve("gradient clipped", symbol="t", line=False)
        self.threshold_line = self._add_line(0.0, "", "threshold", Qt.PenStyle.DashLine)
        self.threshold_line.setVisible(False)
        self._ready = True
        self._restyle()

    def append(
        self,
        steps: np.ndarray,
        grad_norms: np.ndarray,
        clipped: np.ndarray,
        *,
        chars: np.ndarray | None = None,
        seconds: np.ndarray | None = None,
        run: int = 0,
    ) -> None:
        """Add steps of ``run`` (see LossPlot.append_steps for ``chars`` and ``seconds``)."""
        steps, grad_norms = np.ravel(steps), np.ravel(grad_norms).astype(np.float64)
        clipped = np.ravel(clipped).astype(np.bool_)
        if not len(steps) == len(grad_norms) == len(clipped):
            raise ValueError("steps, grad_norms and clipped must have the same length")
        with np.errstate(divide="ignore", invalid="ignore"):
            log_norms = np.log10(grad_norms)
        log_norms[~np.isfinite(log_norms)] = np.nan  # a zero or NaN norm: a gap in the curve
        self._run(run).series.append(
            steps, clipped, {"grad_norms": grad_norms, "log_norms": log_norms}, chars, seconds
        )
        self._run_data_changed(run)

    def set_threshold(self, mode: str, value: float) -> None:
        """Mode "norm": a line at value; "value": each element clipped at ±value; "none"."""
        if mode not in ("norm", "value", "none"):
            raise ValueError(f"unknown clipping mode {mode!r}; expected norm, value or none")
        show_line = mode == "norm" and value > 0
        self.threshold_line.setVisible(show_line)  # first: a hidden line's label ignores new text
        if show_line:
            self.threshold_line.setValue(math.log10(value))  # the view's y is log10(norm)
            self.threshold_line.label.setFormat(f"clip threshold {value:g}")
        # A second line rather than a wider title: the title sets the plot's minimum width.
        each = f"<br>clipping each element at ±{value:g}" if mode == "value" else ""
        self._title = self._TITLE + each
        self._restyle()

    def data(self, run: int | None = None) -> dict[str, np.ndarray]:
        """Copies of what is plotted of ``run`` (None: the current run)."""
        run = self._current if run is None else run
        entry = self._runs.get(run) if run is not None else None
        if entry is None:
            return {name: np.empty(0) for name in _DATA_NAMES}
        stored = entry.series.data()
        return {name: stored[name] for name in _DATA_NAMES}

    # ---- RunPlot's hooks ---------------------------------------------------------------------

    def _new_series(self) -> RunSeries:
        return RunSeries(("grad_norms", "log_norms"), "grad_norms")

    def _new_overlays(self) -> dict[str, pg.PlotDataItem]:
        # Fewer (min, max) pairs than the current run's: the band looks the same, and each
        # other run then costs 1.5 ms a paint instead of 2.3 at 100,000 points (measured).
        return {"norms": self._curve("", samples_per_pixel=0.75)}

    def _draw_current(self, run: int | None, entry: PlottedRun | None) -> None:
        if entry is None:
            self.norm_curve.setData(x=[], y=[])
        else:
            self.norm_curve.setData(*self._xy(entry.series, "log_norms"))

    def _draw_overlay(self, run: int, entry: PlottedRun) -> None:
        entry.overlays["norms"].setData(*self._xy(entry.series, "log_norms"))

    def _set_current_visible(self, visible: bool) -> None:
        self.norm_curve.setVisible(visible)
        self.clip_markers.setVisible(visible)

    def _current_legend_entries(
        self, entry: PlottedRun, several: bool
    ) -> list[tuple[pg.PlotDataItem, str]]:
        if not several:
            return [(self.norm_curve, "gradient norm"), (self.clip_markers, "gradient clipped")]
        return [(self.clip_markers, "gradient clipped")]  # the current run's: bold above

    def _clip_value_column(self) -> str:
        return "log_norms"

    def _swatch_pen(self, entry: PlottedRun):
        # Solid, as the curves are (see _restyle_curves): a dashed swatch would promise a
        # pattern no curve here shows.
        return self._pen(self._run_colour(entry), 3.0)

    def _restyle_curves(self) -> None:
        # One pixel whatever the scale: a dense noisy curve reads as a band anyway, and Qt
        # draws wider lines with that many segments about five times slower. Solid too: a dash
        # pattern means nothing on a curve that changes direction every pixel.
        current = self._current_entry()
        if self._several() and current is not None:
            self.norm_curve.setPen(pg.mkPen(self._run_colour(current), width=1))
        else:
            self.norm_curve.setPen(pg.mkPen(self._colour("grad_norm", 0.9), width=1))
        for entry in self._runs.values():
            # The other runs a little faded: the current one, drawn over them, stands out.
            entry.overlays["norms"].setPen(pg.mkPen(self._run_colour(entry, 0.7), width=1))
        self._restyle_markers(self.clip_markers)
