"""Gradient flow through time: why a vanilla RNN forgets.

``GradientFlowPlot`` shows ‖∂L/∂h_t‖, L the loss at the last position of the probe text, against
the distance back from that position: a vanishing gradient falls like a straight line on the log
axis (like w^d), an LSTM's falls much more slowly. With other runs it draws, at the layer chosen
in the probe bar, each visible run's latest curve beside the current run's (``run_overlays``):
the vanilla RNN's fading next to the LSTM's, on the same text. On a task sequence distance 0 is
the answer, and the positions it depends on are marked (``flow_marks``). ``GradientHistoryView``
(in ``gradient_history``, re-exported here) shows how that profile develops over training.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from rnnlab.core.probe_result import Inspection, ProbeResult
from rnnlab.gui.inspector.distance_axis import (
    CHARACTERS_LABEL,
    CharactersBackAxis,
    show_distances,
)
from rnnlab.gui.inspector.flow_marks import TASK_TOOLTIP, TEXT_TOOLTIP, FlowMarks
from rnnlab.gui.inspector.gradient_history import GradientHistoryView
from rnnlab.gui.inspector.run_overlays import RunOverlays, RunTrace
from rnnlab.gui.inspector.task_marks import (
    TASK_DISTANCE_LABEL,
    TEXT_DISTANCE_LABEL,
    TOKEN_DISTANCE_LABEL,
    answer_words,
    reading,
)
from rnnlab.gui.plots.series_plot import LegendEntry, SeriesPlot, log10_or_nan
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

__all__ = ["GradientFlowPlot", "GradientHistoryView"]

DISTANCE_LABEL = TEXT_DISTANCE_LABEL
# How many earlier inspections stay visible as thin curves, and how strongly each is drawn
# (1 = the full colour, 0 = the background), newest first: the fading shows which way it moves.
TRAIL_STRENGTHS = (0.6, 0.45, 0.34, 0.25, 0.18)


def zero_note(norms: np.ndarray | None) -> str:
    """Where a curve stops for good, why: the gradient is exactly zero from there (underflow in
    a vanilla RNN; no path back in time for an SRU's top layer)."""
    if norms is None:
        return ""
    nonzero = np.flatnonzero(norms > 0)
    end = int(nonzero[-1]) + 1 if len(nonzero) else 0
    return f" (0 from {end} steps back)" if end < len(norms) else ""


class GradientFlowPlot(SeriesPlot):
    """‖∂L/∂h_t‖ per layer against the distance d = T-1-t back from the loss position (x from 0
    to T-1), log y axis. One colour per layer; the newest inspection bold, the few before it
    thin and fading. A norm of exactly zero (an underflow far back in a vanilla RNN, or the top
    layer of an SRU, whose h feeds no later step) has no logarithm: it is left out, a gap in the
    curve (NaN). With other runs (``set_runs``) colours name runs: the current run's chosen
    layer in its colour with its trail, each visible other run's latest curve at that layer in
    its own, if it was probed on the same text."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            "gradientFlowPlot", "‖∂L/∂h‖ (log)", DISTANCE_LABEL, parent=parent, step_axis=False,
            short_x_label="steps back",
        )  # fmt: skip
        self._step: int | None = None
        self._norms: list[np.ndarray] = []  # per layer, (T,) ‖∂L/∂h‖ at distance d = 0..T-1
        self._probe: ProbeResult | None = None  # the newest: its text, task and marks
        # Earlier inspections' norms (a list per layer, as _norms), newest first.
        self._trail: deque[list[np.ndarray]] = deque(maxlen=len(TRAIL_STRENGTHS))
        self._curves: list[pg.PlotDataItem] = []  # per layer, the newest inspection
        self._trail_curves: list[list[pg.PlotDataItem]] = []  # per layer, newest first
        self.setToolTip(TEXT_TOOLTIP)
        self._runs = RunOverlays(self, 2.5)
        self.marks = FlowMarks(self)
        # Where a dependency DEPENDENCY_CHARACTERS characters back lies, in this probe's steps
        # (tokens for a word or BPE run): the memory distance, beside the curve it is about.
        self.memory_line = self._add_line(0.0, "", "marker", Qt.PenStyle.DotLine)
        self.memory_line.setVisible(False)
        # A word or BPE run's token distances, read in characters on a top axis.
        self.characters_axis = CharactersBackAxis("top")
        self.setAxisItems({"top": self.characters_axis})
        self.hideAxis("top")
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
        text_label = TOKEN_DISTANCE_LABEL if probe.tokens else DISTANCE_LABEL
        label = TASK_DISTANCE_LABEL if probe.task else text_label
        if label != self._x_label:
            # Text, tokens or task: where distance 0 is and what a step is, on the axis.
            self._x_label = label
            self.setToolTip(TASK_TOOLTIP if probe.task else TEXT_TOOLTIP)
            self._restyle()
            self.getAxis("bottom").resizeEvent(None)  # centres the new label at the same size
        self._show_memory_distance(probe)
        # What each step read: other runs' curves count only on the same steps (a word run's
        # probe of the same text reads other steps than a character run's).
        self._probe = probe
        self._show_hint(None)
        self._schedule_redraw()

    def _show_memory_distance(self, probe: ProbeResult) -> None:
        show_distances(self.memory_line, self.characters_axis, probe)
        self.showAxis("top", bool(probe.tokens))  # a step back is a token: read in characters

    def set_runs(self, current: RunTrace | None, others: Sequence[RunTrace]) -> None:
        """The current run (its name and colour) and every other run, hidden ones included."""
        self._runs.set_runs(current, others)
        self._restyle_curves()
        self._schedule_redraw()

    def set_layer(self, layer: int) -> None:
        """The layer (0-based) drawn for every run when there are several."""
        self._runs.layer = max(0, int(layer))
        self._schedule_redraw()

    def shown_layer(self) -> int:
        """The chosen layer, or the current model's last if it has fewer."""
        return max(0, min(self._runs.layer, len(self._norms) - 1))

    def clear(self) -> None:
        """Forget every inspection of the current run (it was reset or replaced, or another run
        became current); the other runs stay until ``set_runs`` says otherwise."""
        self._norms, self._step, self._probe = [], None, None
        self.memory_line.setVisible(False)
        self.hideAxis("top")
        self._trail.clear()
        self._build_curves(0)
        self._runs.hide_curves()
        self.marks.hide()
        self._show_legend([])
        self._show_hint(EMPTY_HINT)

    def curve_data(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """(distance, ‖∂L/∂h‖) of the newest curve of ``layer`` (0-based): one point per probe
        position, zero norms (not drawn) left out. y is the norm itself; the plot draws its
        log10."""
        norms = self._norms[layer]
        shown = np.isfinite(log10_or_nan(norms))
        return np.arange(len(norms))[shown], norms[shown]

    def other_curve_data(self, run: int) -> tuple[np.ndarray, np.ndarray]:
        """(distance, ‖∂L/∂h‖) drawn for another run at the chosen layer, zero norms left out;
        empty when it is not drawn (hidden, not probed yet, on another text, no such layer)."""
        curve = self._runs.curves().get(run)
        trace = next((trace for trace in self._runs.others if trace.run == run), None)
        norms = None
        if curve is not None and curve.isVisible() and trace is not None and self._norms:
            norms, _ = self._other_norms(trace, self.shown_layer())
        if norms is None:
            return np.zeros(0, np.int64), np.zeros(0)
        shown = np.isfinite(log10_or_nan(norms))
        return np.arange(len(norms))[shown], norms[shown]

    def _other_norms(self, trace: RunTrace, layer: int) -> tuple[np.ndarray | None, str]:
        """Another run's ‖∂L/∂h‖ by distance at ``layer``, or None and why it is not drawn."""
        if trace.latest is None:
            return None, " (not probed yet)"
        probe, mine = trace.latest.probe, self._probe
        # The same steps: the same text, cut into the same tokens (none for characters).
        if mine is None or (probe.input_text, probe.tokens) != (mine.input_text, mine.tokens):
            if probe.task:
                return None, " (other sequence)"
            # Another unit reads the text in other steps: its distances are not these.
            other_unit = mine is not None and bool(probe.tokens) != bool(mine.tokens)
            return None, " (other unit)" if other_unit else " (other text)"
        if layer >= len(probe.layers):
            return None, f" (no layer {layer + 1})"
        return np.asarray(probe.layers[layer].gradient_norms, dtype=np.float64)[::-1], ""

    def _drawn(self) -> dict[str, np.ndarray]:
        """Legend name -> ‖∂L/∂h‖ by distance of every newest curve drawn."""
        if not self._runs.several:
            return {f"layer {k + 1}": norms for k, norms in enumerate(self._norms)}
        layer, current = self.shown_layer(), self._runs.current
        drawn = {}
        for trace in self._runs.shown():
            mine = current is not None and trace.run == current.run
            if mine:  # none before the current run's first probe (or after a clear)
                norms = self._norms[layer] if layer < len(self._norms) else None
            else:
                norms = self._other_norms(trace, layer)[0]
            if norms is not None:
                drawn[f"{trace.name}, layer {layer + 1}"] = norms
        return drawn

    def earlier_curves(self, layer: int) -> list[np.ndarray]:
        """‖∂L/∂h‖ by distance of ``layer`` in the earlier inspections drawn thin, newest
        first (at most len(TRAIL_STRENGTHS))."""
        return [norms[layer].copy() for norms in self._trail]

    def export_data(self) -> dict[str, np.ndarray]:
        """``distance`` (T,), ``layer_1``, ``layer_2``... (T,) ‖∂L/∂h‖ at each distance (zeros
        kept), ``character`` (T,) the character read there, ``step``, on a task ``marked`` (T,)
        whether the answer depends on that position; empty before a probe."""
        if not self._norms:
            return {}
        data = {"distance": np.arange(len(self._norms[0]))}
        data.update({f"layer_{k + 1}": norms.copy() for k, norms in enumerate(self._norms)})
        if self._runs.several:  # the other runs drawn, by name: "GRU_1×148_layer_1"
            layer, current = self.shown_layer(), self._runs.current
            for trace in self._runs.shown():
                norms, _ = self._other_norms(trace, layer)
                if norms is not None and current is not None and trace.run != current.run:
                    data[f"{trace.name} layer {layer + 1}".replace(" ", "_")] = norms.copy()
        read = self._probe.inputs if self._probe is not None else ()  # at each step
        data["character"] = np.array(list(read[::-1]), dtype=str)
        if self._probe is not None and self._probe.marks is not None:
            data["marked"] = np.asarray(self._probe.marks, dtype=bool)[::-1].copy()
        data["step"] = np.array(self._step)
        return data

    def hover_text(self, x: float, log_y: float) -> str | None:
        series = {name: (np.arange(len(norms)), norms) for name, norms in self._drawn().items()}
        nearest = self._nearest(series, x, log_y)
        if nearest is None:
            return None
        name, distance = nearest
        norms, probe = series[name][1], self._probe
        answer = answer_words(probe.task, bool(probe.tokens))
        where = f"at {answer}" if distance == 0 else f"{distance} steps back"
        what = reading(probe, probe.positions - 1 - distance)
        text = f"{name}, {where} ({what}): ‖∂L/∂h‖ = {norms[distance]:.3g}"
        if distance and norms[0] > 0:
            ratio = norms[distance] / norms[0]
            text += f"\n{ratio:.2g} × its size at {answer}"
            text += ": faded" if ratio < 1 else ": grown"
        return text

    def _build_curves(self, layers: int) -> None:
        for curve in self._curves + [c for curves in self._trail_curves for c in curves]:
            self.removeItem(curve)  # and its legend entry
        # Trail first, so that the newest curves are drawn over them. No names: the legend is
        # built by _redraw (layers, or runs).
        self._trail_curves = [[self._curve(None) for _ in TRAIL_STRENGTHS] for _ in range(layers)]
        self._curves = [self._curve(None) for _ in range(layers)]
        for curve in self._curves:
            curve.setZValue(2)
        self._restyle()

    def _redraw(self) -> None:
        several, chosen = self._runs.several, self.shown_layer()
        entries = []
        for layer, curve in enumerate(self._curves):
            norms = self._norms[layer]
            shown = not several or layer == chosen  # several runs: the chosen layer only
            curve.setVisible(shown)
            curve.setData(x=np.arange(len(norms)), y=log10_or_nan(norms))
            entries.append(LegendEntry(curve, f"layer {layer + 1}{zero_note(norms)}"))
            for age, trail_curve in enumerate(self._trail_curves[layer]):
                old = self._trail[age][layer] if age < len(self._trail) else np.zeros(0)
                trail_curve.setVisible(shown)
                trail_curve.setData(x=np.arange(len(old)), y=log10_or_nan(old))
        if several and self._norms:
            entries = self._draw_other_runs(chosen)
        else:
            self._runs.hide_curves()
        self.marks.show(self._probe, self._drawn())
        self._show_legend(entries, beside=several and bool(self._norms))

    def _draw_other_runs(self, layer: int) -> list[LegendEntry]:
        """Each visible other run's newest curve at ``layer``; a legend line per shown run
        saying, where it has no curve, why. Short lines, for a legend beside the plot: where a
        curve stops (a gradient of exactly 0), hovering says so."""
        current = self._runs.current
        entries, drawn = self._runs.header(layer), set()
        for trace in self._runs.shown():
            if current is not None and trace.run == current.run:
                norms, why = self._norms[layer], ""
            else:
                norms, why = self._other_norms(trace, layer)
                if norms is not None:
                    drawn.add(trace.run)
                    curve = self._runs.curve(trace.run)
                    curve.setVisible(True)
                    curve.setData(x=np.arange(len(norms)), y=log10_or_nan(norms))
            entries.append(self._runs.entry(trace, f"{trace.name}{why}", 3.0))
        self._runs.hide_curves(keep=drawn)
        return entries

    def _restyle_curves(self) -> None:
        current = self._runs.current if self._runs.several else None
        for layer, curve in enumerate(self._curves):
            if current is None:  # one run: a colour per layer
                curve.setPen(self._pen(self._series_colour(layer), 3.0))
            else:  # colours name runs; the trail fades the run's colour, solid and thin
                curve.setPen(self._runs.pen(current, 3.0))
            for strength, trail_curve in zip(TRAIL_STRENGTHS, self._trail_curves[layer]):
                colour = (self._series_colour(layer, strength) if current is None
                          else self._runs.colour(current, strength))  # fmt: skip
                trail_curve.setPen(self._pen(colour, 1.2))
        self._runs.restyle()
        paper = self._palette_colour(QPalette.ColorRole.Base)
        self.marks.restyle(self._colour("text"), paper, self._font(0.95), self._font_scale)

    def _labelled_axes(self) -> tuple[tuple[str, str], ...]:
        return (*super()._labelled_axes(), ("top", CHARACTERS_LABEL))
