"""Live training plots: loss per step (with validation and setting changes) and gradient norm, of
one run or several.

The current run is drawn in full: its raw loss (faint), smoothed loss (thick), clipping markers,
validation points and setting changes. Every other visible run shows its smoothed loss and its
validation points only, in its colour and dash pattern: the raw noise of four runs on top of each
other would hide every trend. What both plots share is in ``run_plot`` and ``plot_base``; the
per-run buffers and their thinning in ``run_series``; units and smoothing in ``plot_data``; what
the y axis means (a unit of text, or a task's loss, chance line and accuracy) in ``loss_scale``
and ``task_mode``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPalette

from rnnlab.gui.plots.grad_norm_plot import GradNormPlot
from rnnlab.gui.plots.loss_scale import LossScalePlot
from rnnlab.gui.plots.plot_axes import StepAxis
from rnnlab.gui.plots.plot_data import GrowingArray, debiased_moving_average
from rnnlab.gui.plots.run_end_labels import EndPoint, RunEndLabels, last_finite
from rnnlab.gui.plots.run_plot import PlottedRun
from rnnlab.gui.plots.run_series import RunSeries
from rnnlab.gui.plots.smoothing_control import DEFAULT_SMOOTHING

__all__ = ["GradNormPlot", "GrowingArray", "LossPlot", "debiased_moving_average"]

_DATA_NAMES = ("steps", "losses", "smoothed", "clipped", "chars", "seconds")


class LossPlot(LossScalePlot):
    """Training loss per step (raw and smoothed), validation loss, uniform guess and markers;
    on a task (``set_task``), the task's loss, its chance line and validation accuracy."""

    def __init__(self, parent=None, smoothing: float = DEFAULT_SMOOTHING) -> None:
        super().__init__(
            "lossPlot", "loss", parent=parent,
            axisItems={"bottom": StepAxis("bottom")},
        )  # fmt: skip
        self._smoothing = smoothing
        self._averages: dict[int, tuple[float, int]] = {}  # moving-average state per run
        self._validations: dict[int, tuple[GrowingArray, GrowingArray]] = {}  # steps, losses
        self.raw_curve = self._curve("training, each step")
        self.smoothed_curve = self._curve("training, smoothed")
        self.clip_markers = self._curve("gradient clipped", symbol="t", line=False)
        self.validation_curve = self._curve("validation loss", symbol="o")
        self.smoothed_curve.setZValue(2)
        # Smooth already: min-max pairs would only double the segments of its thick pen.
        self.smoothed_curve.setDownsampling(auto=True, method="subsample")
        self.validation_curve.setZValue(3)
        # With several runs the validation points take their run's colour; the legend shows
        # this neutral point for all of them. Never added to the plot.
        self._validation_swatch = pg.PlotDataItem([0.0], [0.0], symbol="o", pen=None)
        self.end_labels = RunEndLabels(self)  # each run's name at its curve's end
        self._ready = True
        self._restyle()

    def append_steps(
        self,
        steps: np.ndarray,
        losses: np.ndarray,
        clipped: np.ndarray,
        *,
        chars: np.ndarray | None = None,
        seconds: np.ndarray | None = None,
        run: int = 0,
        token_factors: np.ndarray | None = None,
    ) -> None:
        """Add steps of ``run``: losses in nats per character (on a task, in the task's loss),
        ``chars`` characters seen and ``seconds`` training seconds so far at each step (None:
        unknown, left out on those axes); ``token_factors``: a word or BPE run's characters per
        token at each step (None: 1, characters), for the per-token unit."""
        steps, losses = np.ravel(steps), np.ravel(losses).astype(np.float64)
        clipped = np.ravel(clipped).astype(np.bool_)
        if not len(steps) == len(losses) == len(clipped):
            raise ValueError("steps, losses and clipped must have the same length")
        self._run(run)
        # Smoothed at full resolution, before the series thins anything.
        average = self._averages.get(run, (0.0, 0))
        smoothed, biased, count = debiased_moving_average(losses, self._smoothing, *average)
        self._averages[run] = (biased, count)
        factors = np.ones(len(losses)) if token_factors is None else np.ravel(token_factors)
        values = {
            "losses": losses, "smoothed": smoothed, "token_factors": factors,
            "shown_losses": self._shown(losses, factors),
            "shown_smoothed": self._shown(smoothed, factors),
        }  # fmt: skip
        self._runs[run].series.append(steps, clipped, values, chars, seconds)
        self._run_data_changed(run)

    def add_validation(
        self, step: int, loss: float, *, run: int = 0, token_factor: float = 1.0
    ) -> None:
        """A validation loss in nats per character (``token_factor``: a word or BPE run's
        characters per token on the validation text, for the per-token unit)."""
        self._run(run)
        steps, losses, factors = self._validations.setdefault(
            run, (GrowingArray(np.int64, 64), GrowingArray(np.float64, 64),
                  GrowingArray(np.float64, 64))
        )  # fmt: skip
        steps.append(np.array([step]))
        losses.append(np.array([loss]))
        factors.append(np.array([token_factor]))
        self._run_data_changed(run)

    def add_marker(self, step: int, label: str, run: int = 0) -> None:
        """A setting change of ``run`` (drawn while it is the current run)."""
        self._add_run_line(run, step, label)

    def mark_divergence(self, step: int, reason: str, run: int = 0) -> None:
        # A short label: a long reason would run across the curves on a projector.
        reason = reason if len(reason) <= 32 else reason[:31] + "…"
        self._add_run_line(run, step, f"diverged: {reason}" if reason else "diverged", True)

    @property
    def marker_lines(self) -> list[pg.InfiniteLine]:
        """The current run's setting-change lines, oldest first."""
        entry = self._current_entry()
        return [line.line for line in entry.markers] if entry else []

    @property
    def divergence_lines(self) -> list[pg.InfiniteLine]:
        entry = self._current_entry()
        return [line.line for line in entry.divergences] if entry else []

    def marker_labels(self) -> list[str]:
        """The texts of the current run's setting-change markers, oldest first."""
        entry = self._current_entry()
        return [line.text for line in entry.markers] if entry else []

    def set_smoothing(self, weight: float) -> None:
        """Recompute the smoothed curves with this weight on the past (0: the raw loss).

        Where a run's old points were thinned, each stored point stands for several steps
        (``spans``) and carries their mean loss: the average gives it decay ** span, which
        approximates the average of the full-resolution loss (exact where nothing was thinned;
        measured within 0.02 nats of it at 0.9 on a noisy falling loss, median)."""
        if not 0.0 <= weight < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {weight}")
        self._smoothing = float(weight)
        for run, entry in self._runs.items():
            series = entry.series
            # Smoothing 0 means the raw loss: the stored points' own values, spikes and all.
            values = series.column("losses" if weight == 0.0 else "means")
            smoothed, biased, count = debiased_moving_average(
                values, self._smoothing, 0.0, 0, series.column("spans")
            )
            self._averages[run] = (biased, count)
            series.replace("smoothed", smoothed)
            series.replace("shown_smoothed", self._shown(smoothed, series.column("token_factors")))
            self._stale_runs.add(run)
        self._schedule_redraw()

    def smoothing(self) -> float:
        return self._smoothing

    def data(self, run: int | None = None) -> dict[str, np.ndarray]:
        """Copies of what is plotted of ``run`` (None: the current run), losses as they came
        (nats on text), for CSV export. Where old points were thinned, their steps are thinned
        too."""
        run = self._current if run is None else run
        entry = self._runs.get(run) if run is not None else None
        if run is None or entry is None:
            empty = {name: np.empty(0) for name in _DATA_NAMES}
            return {**empty, "validation_steps": np.empty(0, np.int64),
                    "validation_losses": np.empty(0)}  # fmt: skip
        stored = entry.series.data()
        result = {name: stored[name] for name in _DATA_NAMES}
        steps, losses, _ = self._validation_arrays(run)
        return {**result, "validation_steps": steps.copy(), "validation_losses": losses.copy()}

    def _validation_arrays(self, run: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, nats per character, characters per token) of the run's validations."""
        if run not in self._validations:
            return np.empty(0, np.int64), np.empty(0), np.empty(0)
        return tuple(array.view() for array in self._validations[run])  # type: ignore[return-value]

    def _validation_xy(self, run: int) -> tuple[np.ndarray, np.ndarray]:
        """The run's validation points on the current axes, without those at an unknown x."""
        steps, losses, factors = self._validation_arrays(run)
        x = self._runs[run].series.x_at_steps(steps, self._x_axis)
        known = np.isfinite(x)
        return x[known], self._shown(losses[known], factors[known])

    # ---- RunPlot's hooks ---------------------------------------------------------------------

    def _new_series(self) -> RunSeries:
        names = ("losses", "smoothed", "token_factors", "shown_losses", "shown_smoothed")
        return RunSeries(names, "losses")

    def _new_overlays(self) -> dict[str, pg.PlotDataItem]:
        # One point per two pixels: a dash pattern along a path of many tiny segments cost
        # 4 ms a paint per 100,000-point run at 1.5 per pixel, 1 ms at this (measured).
        smoothed = self._curve("", samples_per_pixel=0.5)
        validation = self._curve("", symbol="o")
        smoothed.setDownsampling(auto=True, method="subsample")  # as the current run's
        smoothed.setZValue(1)  # under the current run's curves, over its raw loss
        validation.setZValue(1.5)
        return {"smoothed": smoothed, "validation": validation}

    def _draw_current(self, run: int | None, entry: PlottedRun | None) -> None:
        if run is None or entry is None:
            for curve in (self.raw_curve, self.smoothed_curve, self.validation_curve):
                curve.setData(x=[], y=[])
            return
        x, raw = self._xy(entry.series, "shown_losses")
        self.raw_curve.setData(x=x, y=raw)
        self.smoothed_curve.setData(x=x, y=self._xy(entry.series, "shown_smoothed")[1])
        x, y = self._validation_xy(run)
        self.validation_curve.setData(x=x, y=y)

    def _after_redraw(self) -> None:
        self.accuracy.draw(self._runs, self._x_axis)
        points = []
        if self._several():
            for run, entry in self._runs.items():
                end = last_finite(*self._xy(entry.series, "shown_smoothed"))
                if entry.visible and end is not None:
                    points.append(EndPoint(run, entry.name, self._run_colour(entry), *end))
        background = self._palette_colour(QPalette.ColorRole.Base, 190)
        lines = (self.uniform_line, self.chance_line)  # a stuck run's name would sit on them
        self.end_labels.place(points, self._font(0.9, bold=True), background, lines)

    def set_font_scale(self, scale: float) -> None:
        super().set_font_scale(scale)
        self._after_redraw()  # run names at curve ends take the new size now, not at new data

    def _draw_overlay(self, run: int, entry: PlottedRun) -> None:
        entry.overlays["smoothed"].setData(*self._xy(entry.series, "shown_smoothed"))
        entry.overlays["validation"].setData(*self._validation_xy(run))

    def _set_current_visible(self, visible: bool) -> None:
        for curve in (self.raw_curve, self.smoothed_curve, self.validation_curve):
            curve.setVisible(visible)
        self.clip_markers.setVisible(visible)

    def _current_legend_entries(
        self, entry: PlottedRun, several: bool
    ) -> list[tuple[pg.PlotDataItem, str]]:
        accuracy = self.task_mode.legend_entries()
        if not several:
            return [
                (self.raw_curve, "training, each step"),
                (self.smoothed_curve, "training, smoothed"),
                (self.clip_markers, "gradient clipped"),
                (self.validation_curve, "validation loss"),
                *accuracy,
            ]
        # The run entries show the smoothed curves; these, what only the current run (in bold
        # among them) shows, and the validation points, dots in each run's colour. Few, short
        # texts: every legend row is taken from the curves' height, which four runs on a laptop
        # had left at 80 pixels; the current run's faint per-step curve needs no entry of its own
        # (it is the noise around its bold smoothed line).
        return [
            (self.clip_markers, "gradient clipped"),
            (self._validation_swatch, "validation loss"),
            *accuracy,
        ]

    def _clip_value_column(self) -> str:
        return "shown_losses"

    def _forget_extras(self, run: int) -> None:
        self._validations.pop(run, None)
        self._averages.pop(run, None)
        self.accuracy.forget(run, keep_curve=run in self._runs)  # cleared, not removed

    def _extra_bytes(self, run: int) -> int:
        validations = sum(array.nbytes for array in self._validations.get(run, ()))
        return validations + self.accuracy.nbytes(run)

    def _restyle_curves(self) -> None:
        current = self._current_entry()
        if self._several() and current is not None:
            # Colours name runs: the current run's curves in its colour and dash pattern.
            raw = self._run_colour(current, 0.45)
            smoothed = self._run_pen(current, 3.0)
            validation = self._run_colour(current)
            validation_pen = self._run_pen(current, 1.5)
        else:
            # One run: colours name what is drawn, as they always have.
            raw = self._colour("raw", 0.5)
            smoothed = self._pen(self._colour("smoothed"), 3.0)
            validation = self._colour("validation")
            validation_pen = self._pen(validation, 2.0)
        # Faint but visible: the noise matters less than the trend, yet students should see it.
        self.raw_curve.setPen(pg.mkPen(raw, width=1))  # 1 px: see GradNormPlot
        self.smoothed_curve.setPen(smoothed)
        self._restyle_markers(self.clip_markers)
        self._style_points(self.validation_curve, validation, validation_pen, 11)
        for entry in self._runs.values():
            entry.overlays["smoothed"].setPen(self._run_pen(entry, 2.5))
            points = entry.overlays["validation"]
            self._style_points(points, self._run_colour(entry), self._run_pen(entry, 1.5), 9)
        swatch = self._colour("text", 0.8)
        self._style_points(self._validation_swatch, swatch, None, 11)
        self.task_mode.restyle(self)

    def _style_points(self, curve: pg.PlotDataItem, colour, pen, size: float) -> None:
        curve.setPen(pen)
        curve.setSymbolBrush(colour)
        # A ring in the background colour separates each point from the curves beneath it.
        ring = self._palette_colour(QPalette.ColorRole.Base)
        curve.setSymbolPen(pg.mkPen(ring, width=1.5 * self._font_scale))
        curve.setSymbolSize(round(size * self._font_scale))
