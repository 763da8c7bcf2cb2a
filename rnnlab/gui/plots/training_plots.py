"""Live training plots: loss per step (with validation and setting changes) and gradient norm.

What both share (buffered redraws, styling, marker lines) is in ``plot_base``; the NumPy buffers,
units and smoothing are in ``plot_data``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from rnnlab.gui.plots.plot_axes import LogAxis, StepAxis
from rnnlab.gui.plots.plot_base import StepPlot
from rnnlab.gui.plots.plot_data import UNITS, GrowingArray, convert_loss, debiased_moving_average
from rnnlab.gui.plots.smoothing_control import DEFAULT_SMOOTHING

_LOSS_AXIS_LABELS = {
    "nats": "loss (nats/char)", "bits": "loss (bits/char)", "perplexity": "perplexity"
}  # fmt: skip


class LossPlot(StepPlot):
    """Training loss per step (raw and smoothed), validation loss, uniform guess and markers."""

    def __init__(self, parent=None, smoothing: float = DEFAULT_SMOOTHING) -> None:
        super().__init__(
            "lossPlot", "loss", _LOSS_AXIS_LABELS["nats"], parent=parent,
            axisItems={"bottom": StepAxis("bottom")},
        )  # fmt: skip
        self._smoothing = smoothing
        self._unit = "nats"
        self._vocabulary_size = 0
        self._average_state = (0.0, 0)
        # "shown_*" hold the curves in the display unit, converted once per point, not per redraw.
        self._buffers = {"clipped": GrowingArray(np.bool_)}
        for name in ("steps", "clip_indices", "clip_steps", "validation_steps"):
            self._buffers[name] = GrowingArray(np.int64)
        for name in ("losses", "smoothed", "validation_losses", "shown_losses", "shown_smoothed",
                     "shown_clip_losses"):  # fmt: skip
            self._buffers[name] = GrowingArray(np.float64)
        self.raw_curve = self._curve("training, each step")
        self.smoothed_curve = self._curve("training, smoothed")
        self.clip_markers = self._curve("gradient clipped", symbol="t", line=False)
        self.validation_curve = self._curve("validation loss", symbol="o")
        self.smoothed_curve.setZValue(2)
        # Smooth already: min-max pairs would only double the segments of its thick pen.
        self.smoothed_curve.setDownsampling(auto=True, method="subsample")
        self.validation_curve.setZValue(3)
        self.marker_lines: list[pg.InfiniteLine] = []
        self.divergence_lines: list[pg.InfiniteLine] = []
        self.uniform_line = self._add_line(0.0, "uniform guess", "text", Qt.PenStyle.DashLine)
        self.uniform_line.setVisible(False)
        self._ready = True
        self._restyle()

    def append_steps(self, steps: np.ndarray, losses: np.ndarray, clipped: np.ndarray) -> None:
        steps, losses = np.ravel(steps), np.ravel(losses).astype(np.float64)
        clipped = np.ravel(clipped).astype(np.bool_)
        if not len(steps) == len(losses) == len(clipped):
            raise ValueError("steps, losses and clipped must have the same length")
        smoothed, *state = debiased_moving_average(losses, self._smoothing, *self._average_state)
        self._average_state = tuple(state)
        at_clip = np.flatnonzero(clipped)
        for name, values in (
            ("clip_indices", at_clip + len(self._buffers["steps"])),
            ("clip_steps", steps[at_clip]),
            ("shown_clip_losses", convert_loss(losses[at_clip], self._unit)),
            ("steps", steps), ("losses", losses), ("smoothed", smoothed), ("clipped", clipped),
            ("shown_losses", convert_loss(losses, self._unit)),
            ("shown_smoothed", convert_loss(smoothed, self._unit)),
        ):  # fmt: skip
            self._buffers[name].append(values)
        self._schedule_redraw()

    def add_validation(self, step: int, loss: float) -> None:
        self._buffers["validation_steps"].append(np.array([step]))
        self._buffers["validation_losses"].append(np.array([loss]))
        self._schedule_redraw()

    def add_marker(self, step: int, label: str) -> None:
        self.marker_lines.append(self._add_line(step, label, "marker", Qt.PenStyle.DashDotLine))

    def marker_labels(self) -> list[str]:
        """The texts of the setting-change markers, oldest first."""
        return [line.label.toPlainText() for line in self.marker_lines]

    def mark_divergence(self, step: int, reason: str) -> None:
        # A short label: a long reason would run across the curves on a projector.
        reason = reason if len(reason) <= 32 else reason[:31] + "…"
        label = f"diverged: {reason}" if reason else "diverged"
        self.divergence_lines.append(self._add_line(step, label, "diverged", Qt.PenStyle.SolidLine))

    def set_vocabulary_size(self, size: int) -> None:
        self._vocabulary_size = int(size)
        self._place_uniform_line()

    def set_unit(self, unit: str) -> None:
        if unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
        self._unit = unit
        buffers = self._buffers
        at_clip = buffers["clip_indices"].view()
        for shown, values in (
            ("shown_losses", buffers["losses"].view()),
            ("shown_smoothed", buffers["smoothed"].view()),
            ("shown_clip_losses", buffers["losses"].view()[at_clip]),
        ):
            converted = convert_loss(values, unit)
            buffers[shown].clear()
            buffers[shown].append(converted)
        self._y_label = _LOSS_AXIS_LABELS[unit]
        self._restyle()
        self._place_uniform_line()
        self._schedule_redraw()
        self.flush()
        self.enableAutoRange(axis="y")  # the old range means nothing in the new unit

    def unit(self) -> str:
        return self._unit

    def set_smoothing(self, weight: float) -> None:
        """Recompute the smoothed curve with this weight on the past (0: the raw loss)."""
        if not 0.0 <= weight < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {weight}")
        self._smoothing = float(weight)
        losses = self._buffers["losses"].view()
        smoothed, *state = debiased_moving_average(losses, self._smoothing, 0.0, 0)
        self._average_state = tuple(state)
        shown = convert_loss(smoothed, self._unit)
        for name, values in (("smoothed", smoothed), ("shown_smoothed", shown)):
            self._buffers[name].clear()
            self._buffers[name].append(values)
        self._schedule_redraw()

    def smoothing(self) -> float:
        return self._smoothing

    def clear_data(self) -> None:
        """Forget all points, validations and markers; the unit and vocabulary size stay."""
        for buffer in self._buffers.values():
            buffer.clear()
        self._average_state = (0.0, 0)
        for line in self.marker_lines + self.divergence_lines:
            self._remove_line(line)
        self.marker_lines.clear()
        self.divergence_lines.clear()
        self._schedule_redraw()
        self.flush()

    def data(self) -> dict[str, np.ndarray]:
        """Copies of everything plotted, losses in nats (for CSV export)."""
        names = ("steps", "losses", "smoothed", "clipped", "validation_steps", "validation_losses")
        return {name: self._buffers[name].view().copy() for name in names}

    def _place_uniform_line(self) -> None:
        visible = self._vocabulary_size > 1
        # Visible first: a hidden line's label ignores new values.
        self.uniform_line.setVisible(visible)
        if visible:
            nats = math.log(self._vocabulary_size)
            self.uniform_line.setValue(float(convert_loss(nats, self._unit)))

    def _redraw(self) -> None:
        buffers = {name: buffer.view() for name, buffer in self._buffers.items()}
        self.raw_curve.setData(x=buffers["steps"], y=buffers["shown_losses"])
        self.smoothed_curve.setData(x=buffers["steps"], y=buffers["shown_smoothed"])
        self._place_clip_markers()
        validation = convert_loss(buffers["validation_losses"], self._unit)
        self.validation_curve.setData(x=buffers["validation_steps"], y=validation)

    def _clip_events(self) -> tuple[np.ndarray, np.ndarray]:
        return self._buffers["clip_steps"].view(), self._buffers["shown_clip_losses"].view()

    def _restyle_curves(self) -> None:
        # Faint but visible: the noise matters less than the trend, yet students should see it.
        self.raw_curve.setPen(pg.mkPen(self._colour("raw", 0.5), width=1))  # see GradNormPlot
        self.smoothed_curve.setPen(self._pen(self._colour("smoothed"), 3.0))
        self._restyle_markers(self.clip_markers)
        validation = self._colour("validation")
        self.validation_curve.setPen(self._pen(validation, 2.0))
        self.validation_curve.setSymbolBrush(validation)
        # A ring in the background colour separates each point from the curves beneath it.
        ring = self._palette_colour(QPalette.ColorRole.Base)
        self.validation_curve.setSymbolPen(pg.mkPen(ring, width=1.5 * self._font_scale))
        self.validation_curve.setSymbolSize(round(11 * self._font_scale))


class GradNormPlot(StepPlot):
    """Gradient norm before clipping per step on a log axis, with the clipping threshold."""

    _TITLE = "gradient norm (before clipping)"

    def __init__(self, parent=None) -> None:
        super().__init__(
            "gradNormPlot", self._TITLE, "gradient norm", parent=parent,
            axisItems={"left": LogAxis("left"), "bottom": StepAxis("bottom")},
        )  # fmt: skip
        self._buffers = {"clipped": GrowingArray(np.bool_)}
        for name in ("steps", "clip_steps"):
            self._buffers[name] = GrowingArray(np.int64)
        for name in ("grad_norms", "log_norms", "clip_log_norms"):
            self._buffers[name] = GrowingArray(np.float64)
        # Only the axis is logarithmic; the curves get log10 values computed once per point.
        # pyqtgraph's log mode would take log10 of the whole history on every redraw.
        self.getAxis("left").setLogMode(False, True)
        self.norm_curve = self._curve("gradient norm")
        self.clip_markers = self._curve("gradient clipped", symbol="t", line=False)
        self.threshold_line = self._add_line(0.0, "", "threshold", Qt.PenStyle.DashLine)
        self.threshold_line.setVisible(False)
        self._ready = True
        self._restyle()

    def append(self, steps: np.ndarray, grad_norms: np.ndarray, clipped: np.ndarray) -> None:
        steps, grad_norms = np.ravel(steps), np.ravel(grad_norms).astype(np.float64)
        clipped = np.ravel(clipped).astype(np.bool_)
        if not len(steps) == len(grad_norms) == len(clipped):
            raise ValueError("steps, grad_norms and clipped must have the same length")
        with np.errstate(divide="ignore", invalid="ignore"):
            log_norms = np.log10(grad_norms)
        log_norms[~np.isfinite(log_norms)] = np.nan  # a zero or NaN norm: a gap in the curve
        for name, values in (
            ("steps", steps), ("grad_norms", grad_norms), ("clipped", clipped),
            ("log_norms", log_norms), ("clip_steps", steps[clipped]),
            ("clip_log_norms", log_norms[clipped]),
        ):  # fmt: skip
            self._buffers[name].append(values)
        self._schedule_redraw()

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

    def data(self) -> dict[str, np.ndarray]:
        names = ("steps", "grad_norms", "clipped")
        return {name: self._buffers[name].view().copy() for name in names}

    def clear_data(self) -> None:
        for buffer in self._buffers.values():
            buffer.clear()
        self._schedule_redraw()
        self.flush()

    def _redraw(self) -> None:
        steps, log_norms = self._buffers["steps"].view(), self._buffers["log_norms"].view()
        self.norm_curve.setData(x=steps, y=log_norms)
        self._place_clip_markers()

    def _clip_events(self) -> tuple[np.ndarray, np.ndarray]:
        return self._buffers["clip_steps"].view(), self._buffers["clip_log_norms"].view()

    def _restyle_curves(self) -> None:
        # One pixel whatever the scale: a dense noisy curve reads as a band anyway, and Qt
        # draws wider lines with that many segments about five times slower.
        self.norm_curve.setPen(pg.mkPen(self._colour("grad_norm", 0.9), width=1))
        self._restyle_markers(self.clip_markers)
