"""Training statistics that come with each inspection, against the training step: the gradient
norm of each parameter group, and the largest singular value of each layer's recurrent matrix.

Both plots get a point per inspection (a few a second at most); a repeated step (a probe asked
for while training is paused) replaces its point rather than adding a second one. The spectrum
plot also draws the other runs' σ_max at the layer chosen in the probe bar, each in its run's
colour (``run_overlays``): a vanilla RNN's W_hh against an LSTM's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt

from rnnlab.core.probe_result import Inspection
from rnnlab.gui.inspector.run_overlays import RunOverlays, RunTrace
from rnnlab.gui.inspector.step_series import MAX_DOTS, StepSeries, StepSeriesPlot
from rnnlab.gui.plots.series_plot import LegendEntry, log10_or_nan
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

__all__ = ["SRU_MESSAGE", "GroupNormPlot", "SpectrumPlot", "StepSeries"]

SRU_MESSAGE = "SRU has no recurrent matrix: its memory is the element-wise forget gate"
REFERENCE_LABEL = "1: below, signals fade going back;\nabove, they can grow"
NO_MATRIX = " (no W_hh)"  # an SRU run's legend line beside others (the plot's title: W_hh)


class GroupNormPlot(StepSeriesPlot):
    """Gradient norm of each parameter group at the last training step, before clipping, on a
    log axis; new groups (a model with more layers) get new curves."""

    def __init__(self, parent=None) -> None:
        super().__init__("groupNormPlot", "‖∂L/∂W‖ (log)", parent=parent)
        self.setToolTip(
            "The size ‖∂L/∂W‖ of each parameter group's gradient at the last training step,\n"
            "before clipping. Solid: a layer's input weights; dashed: its recurrent weights.\n"
            "Recurrent norms far below the others: gradients fade before they reach them."
        )
        self._ready = True
        self._restyle()
        self._show_hint(EMPTY_HINT)

    def _update_legend(self) -> None:
        # Beside the plot: four to eight groups in rows below it left no height for the curves
        # on the Gradients page of a laptop-sized window.
        self._show_legend(self._legend_entries(), beside=True)

    def show_inspection(self, inspection: Inspection) -> None:
        if inspection.group_grad_norms:  # empty before the first training step
            self._show_hint(None)
            self._add_points(inspection.step, inspection.group_grad_norms)

    def _describe(self, name: str, step: int, value: float) -> str:
        return f"{name} at step {step:,}: gradient norm {value:.3g}"


class SpectrumPlot(StepSeriesPlot):
    """Largest singular value σ_max of each layer's recurrent matrix W_hh against the step, with
    a reference line at 1. For LSTM and GRU the matrices of all gates are stacked (4H × H,
    3H × H) and measured together. SRU has none: a message replaces the curves (beside other
    runs, its legend line says so). With other runs (``set_runs``) colours name runs: the
    current run's and each visible other run's σ_max at the chosen layer."""

    def __init__(self, parent=None) -> None:
        super().__init__("spectrumPlot", "σ_max of W_hh (log)", parent=parent)
        self._runs = RunOverlays(self, 2.0)
        self._probed = "empty"  # the current run: "empty" (no probe), "sru" (no W_hh), "data"
        self.setToolTip(
            "σ_max of each layer's recurrent matrix W_hh: the most one step back through time\n"
            "can stretch a signal. For LSTM and GRU the gates' matrices are stacked (4H × H,\n"
            "3H × H) and measured together. Below 1, gradients must fade going back;\n"
            "above 1 they can grow (tanh and the gates shrink them further).\n"
            "With several runs: each run at the layer chosen above, in its colour."
        )
        self.reference_line = self._add_line(0.0, REFERENCE_LABEL, "text", Qt.PenStyle.DashLine)
        # Under the curves: its label's backing would otherwise wash out a curve crossing it.
        self.reference_line.setZValue(-1)
        self._ready = True
        self._restyle()
        self._show_hint(EMPTY_HINT)

    def show_inspection(self, inspection: Inspection) -> None:
        norms = inspection.spectral_norms
        # Hidden, not removed: a later inspection of a model with matrices shows them again.
        self._probed = "data" if norms else "sru"
        if norms:
            self._add_points(inspection.step, {f"layer {k + 1}": v for k, v in enumerate(norms)})
        self._update_hint()
        self._schedule_redraw()

    def show_history(self, steps: np.ndarray, norms: np.ndarray) -> None:
        """Points of the current run from before this plot was following it (it has just
        become current): ``steps`` (N,), ``norms`` (N, layers) σ_max."""
        for step, row in zip(np.asarray(steps).tolist(), np.asarray(norms)):
            if len(row):
                self._add_points(int(step), {f"layer {k + 1}": v for k, v in enumerate(row)})
                self._probed = "data"
        self._update_hint()
        self._schedule_redraw()

    def set_runs(self, current: RunTrace | None, others: Sequence[RunTrace]) -> None:
        """The current run (its name and colour) and every other run, hidden ones included."""
        self._runs.set_runs(current, others)
        # Its long label would be cut to a fragment beside a legend of runs; the frame's
        # explanation above the plot says what 1 means.
        self.reference_line.label.setVisible(not self._runs.several)
        self._restyle_curves()
        self._update_hint()
        self._schedule_redraw()

    def set_layer(self, layer: int) -> None:
        """The layer (0-based) drawn for every run when there are several."""
        self._runs.layer = max(0, int(layer))
        self._schedule_redraw()

    def other_series(self, run: int) -> tuple[np.ndarray, np.ndarray]:
        """(steps, σ_max) drawn for another run at the chosen layer; empty when not drawn."""
        curve = self._runs.curves().get(run)
        if curve is None or not curve.isVisible():
            return np.zeros(0, np.int64), np.zeros(0)
        for trace, values in self._other_points(self._chosen_layer()):
            if trace.run == run:
                return trace.spectral_steps.copy(), values.copy()
        return np.zeros(0, np.int64), np.zeros(0)

    def clear(self) -> None:
        """Forget the current run's points; the other runs stay until ``set_runs``."""
        super().clear()
        self._probed = "empty"
        self._runs.hide_curves()
        self._update_hint()
        self._update_legend()

    def _chosen_layer(self) -> int:
        """The probe bar's layer: it offers the current model's layers (an SRU's too, though
        none has a W_hh), so the chosen one is always the current model's."""
        return self._runs.layer

    def _other_points(self, layer: int) -> list[tuple[RunTrace, np.ndarray]]:
        """Each visible other run with σ_max at ``layer``: (its trace, (N,) values)."""
        if not self._runs.several:
            return []
        return [
            (trace, trace.spectral_norms[:, layer])
            for trace in self._runs.others
            if trace.visible and len(trace.spectral_steps) and trace.spectral_norms.shape[1] > layer
        ]

    def _why_not_drawn(self, trace: RunTrace, layer: int) -> str:
        """What another run's legend line adds when it has no curve here."""
        if trace.latest is None:
            return " (not probed yet)"
        if not trace.latest.spectral_norms:
            return NO_MATRIX
        return f" (no layer {layer + 1})" if trace.spectral_norms.shape[1] <= layer else ""

    def _update_hint(self) -> None:
        showing = self._probed == "data" or bool(self._other_points(self._chosen_layer()))
        self._show_hint(None if showing else SRU_MESSAGE if self._probed == "sru" else EMPTY_HINT)
        self.reference_line.setVisible(showing)

    def _redraw(self) -> None:
        super()._redraw()
        several, layer = self._runs.several, self._chosen_layer()
        for name, curve in self._curves.items():
            chosen = not several or name == f"layer {layer + 1}"
            curve.setVisible(self._probed == "data" and chosen)
        drawn = set()
        for trace, values in self._other_points(layer):
            curve = self._runs.curve(trace.run)
            symbol = "o" if len(values) <= MAX_DOTS else None
            if curve.opts["symbol"] != symbol:
                curve.setSymbol(symbol)
            curve.setVisible(True)
            curve.setData(x=trace.spectral_steps, y=log10_or_nan(values))
            drawn.add(trace.run)
        self._runs.hide_curves(keep=drawn)
        self._update_hint()
        self._update_legend()

    def _legend_entries(self) -> list[LegendEntry]:
        if not self._runs.several:
            return super()._legend_entries()
        layer, current = self._chosen_layer(), self._runs.current
        mine = {"empty": " (not probed yet)", "sru": NO_MATRIX, "data": ""}[self._probed]
        entries = self._runs.header(layer)
        for trace in self._runs.shown():
            why = mine if trace is current else self._why_not_drawn(trace, layer)
            entries.append(self._runs.entry(trace, f"{trace.name}{why}", 2.0))
        return entries

    def _update_legend(self) -> None:
        # Several runs: their names in a column beside the plot (see SeriesPlot._show_legend).
        self._show_legend(self._legend_entries(), beside=self._runs.several)

    def _restyle_curves(self) -> None:
        super()._restyle_curves()  # a colour per layer
        current = self._runs.current if self._runs.several else None
        if current is not None:  # colours name runs
            for curve in self._curves.values():
                curve.setPen(self._runs.pen(current, 2.0))
                curve.setSymbolBrush(self._runs.colour(current))
        self._runs.restyle()
        for curve in self._runs.curves().values():
            curve.setSymbolSize(round(6 * self._font_scale))

    def _hover_series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        views = self._series.views()
        current = self._runs.current
        if not self._runs.several or current is None:
            return views
        layer = self._chosen_layer()
        series = {}
        if self._probed == "data" and f"layer {layer + 1}" in views:
            series[f"{current.name}, layer {layer + 1}"] = views[f"layer {layer + 1}"]
        for trace, values in self._other_points(layer):
            series[f"{trace.name}, layer {layer + 1}"] = (trace.spectral_steps, values)
        return series

    def _describe(self, name: str, step: int, value: float) -> str:
        meaning = "signals fade going back" if value < 1 else "signals can grow going back"
        return f"{name} at step {step:,}: σ_max = {value:.3g} ({meaning})"
