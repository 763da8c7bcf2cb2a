"""Gradient flow through time: why a vanilla RNN forgets.

``GradientFlowPlot`` shows ‖∂L/∂h_t‖, L the loss at the last position of the probe text, against
the distance back from that position: a vanishing gradient falls like a straight line on the log
axis (like w^d), an LSTM's falls much more slowly. ``GradientHistoryView`` (in
``gradient_history``, re-exported here) shows how that profile develops over training.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg

from rnnlab.core.probe_result import Inspection
from rnnlab.gui.inspector.gradient_history import GradientHistoryView
from rnnlab.gui.plots.series_plot import SeriesPlot, log10_or_nan
from rnnlab.gui.widgets.style import shown_char
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

__all__ = ["GradientFlowPlot", "GradientHistoryView"]

DISTANCE_LABEL = "steps back from the predicted character"
# How many earlier inspections stay visible as thin curves, and how strongly each is drawn
# (1 = the full colour, 0 = the background), newest first: the fading shows which way it moves.
TRAIL_STRENGTHS = (0.6, 0.45, 0.34, 0.25, 0.18)


class GradientFlowPlot(SeriesPlot):
    """‖∂L/∂h_t‖ per layer against the distance d = T-1-t back from the loss position (x from 0
    to T-1), log y axis. One colour per layer; the newest inspection bold, the few before it
    thin and fading. A norm of exactly zero (an underflow far back in a vanilla RNN, or the top
    layer of an SRU, whose h feeds no later step) has no logarithm: it is left out, a gap in the
    curve (NaN)."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            "gradientFlowPlot", "‖∂L/∂h‖ (log)", DISTANCE_LABEL, parent=parent, step_axis=False
        )
        self._step: int | None = None
        self._norms: list[np.ndarray] = []  # per layer, (T,) ‖∂L/∂h‖ at distance d = 0..T-1
        self._characters = ""  # the character read at each distance
        # Earlier inspections' norms (a list per layer, as _norms), newest first.
        self._trail: deque[list[np.ndarray]] = deque(maxlen=len(TRAIL_STRENGTHS))
        self._curves: list[pg.PlotDataItem] = []  # per layer, the newest inspection
        self._trail_curves: list[list[pg.PlotDataItem]] = []  # per layer, newest first
        self.setToolTip(
            "How strongly the loss at the last character depends on the hidden state d steps\n"
            "earlier: ‖∂L/∂h‖, the signal training uses to learn from that far back.\n"
            "A straight fall on this log axis is a vanishing gradient (like w^d): the model\n"
            "cannot learn what it would have needed to remember. Thin curves: earlier probes."
        )
        self._ready = True
        self._restyle()
        self._show_hint(EMPTY_HINT)

    def show_inspection(self, inspection: Inspection) -> None:
        probe = inspection.probe
        norms = [np.asarray(layer.gradient_norms, dtype=np.float64)[::-1] for layer in probe.layers]
        if len(norms) != len(self._curves):  # another model: its layers, no trail of the old
            self._trail.clear()
            self._build_curves(len(norms))
        elif self._norms and inspection.step != self._step:
            # The same step again (a probe while paused) replaces the newest, adds no trail.
            self._trail.appendleft(self._norms)
        self._norms, self._step = norms, inspection.step
        self._characters = probe.input_text[::-1]
        self._show_hint(None)
        self._schedule_redraw()

    def clear(self) -> None:
        """Forget every inspection (the model was reset or replaced)."""
        self._norms, self._step, self._characters = [], None, ""
        self._trail.clear()
        self._build_curves(0)
        self._show_hint(EMPTY_HINT)

    def curve_data(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(distance, ‖∂L/∂h‖) of the newest curve of ``layer`` (0-based): one point per probe
        position, zero norms (not drawn) left out. y is the norm itself; the plot draws its
        log10."""
        norms = self._norms[layer]
        shown = np.isfinite(log10_or_nan(norms))
        return np.arange(len(norms))[shown], norms[shown]

    def earlier_curves(self, layer: int) -> list[np.ndarray]:
        """‖∂L/∂h‖ by distance of ``layer`` in the earlier inspections drawn thin, newest
        first (at most len(TRAIL_STRENGTHS))."""
        return [norms[layer].copy() for norms in self._trail]

    def export_data(self) -> dict[str, np.ndarray]:
        """``distance`` (T,), ``layer_1``, ``layer_2``... (T,) ‖∂L/∂h‖ at each distance (zeros
        kept), ``character`` (T,) the character read there, ``step``; empty before a probe."""
        if not self._norms:
            return {}
        data = {"distance": np.arange(len(self._norms[0]))}
        data.update({f"layer_{k + 1}": norms.copy() for k, norms in enumerate(self._norms)})
        data["character"] = np.array(list(self._characters), dtype=str)
        data["step"] = np.array(self._step)
        return data

    def hover_text(self, x: float, log_y: float) -> str | None:
        series = {
            f"layer {k + 1}": (np.arange(len(norms)), norms) for k, norms in enumerate(self._norms)
        }
        nearest = self._nearest(series, x, log_y)
        if nearest is None:
            return None
        name, distance = nearest
        norms = series[name][1]
        char = shown_char(self._characters[distance])
        where = "at the predicted character" if distance == 0 else f"{distance} steps back"
        text = f"{name}, {where} (after reading {char}): ‖∂L/∂h‖ = {norms[distance]:.3g}"
        if distance and norms[0] > 0:
            ratio = norms[distance] / norms[0]
            text += f"\n{ratio:.2g} × its size at the predicted character"
            text += ": faded" if ratio < 1 else ": grown"
        return text

    def _build_curves(self, layers: int) -> None:
        for curve in self._curves + [c for curves in self._trail_curves for c in curves]:
            self.removeItem(curve)  # and its legend entry
        # Trail first, so that the newest curves are drawn over them; no name: no legend entry.
        self._trail_curves = [[self._curve(None) for _ in TRAIL_STRENGTHS] for _ in range(layers)]
        self._curves = [self._curve(f"layer {k + 1}") for k in range(layers)]
        for curve in self._curves:
            curve.setZValue(2)
        self._restyle()

    def _redraw(self) -> None:
        for layer, curve in enumerate(self._curves):
            norms = self._norms[layer]
            curve.setData(x=np.arange(len(norms)), y=log10_or_nan(norms))
            # Where the curve stops for good, say why: the gradient is exactly zero from there
            # (underflow in a vanilla RNN; no path back in time for an SRU's top layer).
            nonzero = np.flatnonzero(norms > 0)
            end = int(nonzero[-1]) + 1 if len(nonzero) else 0
            suffix = f" (0 from {end} steps back)" if end < len(norms) else ""
            self._set_legend_text(curve, f"layer {layer + 1}{suffix}")
            for age, trail_curve in enumerate(self._trail_curves[layer]):
                old = self._trail[age][layer] if age < len(self._trail) else np.zeros(0)
                trail_curve.setData(x=np.arange(len(old)), y=log10_or_nan(old))

    def _restyle_curves(self) -> None:
        for layer, curve in enumerate(self._curves):
            curve.setPen(self._pen(self._series_colour(layer), 3.0))
            for strength, trail_curve in zip(TRAIL_STRENGTHS, self._trail_curves[layer]):
                trail_curve.setPen(self._pen(self._series_colour(layer, strength), 1.2))
