"""Live training plots: loss per step (with validation and setting changes) and gradient norm.

Points arrive in small batches from training signals. They go into growing NumPy buffers and a
single-shot timer redraws at most about 30 times a second, so a run of a million steps stays fluid:
calling setData per signal would redraw the whole history each time and flood the event queue.
"""

from __future__ import annotations

import math

import numpy as np

# isort: off
# PySide6 before pyqtgraph: pyqtgraph binds to PyQt6 instead when both are installed.
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QSizePolicy
import pyqtgraph as pg
# isort: on

REDRAW_INTERVAL_MS = 33
UNITS = ("nats", "bits", "perplexity")
_LOSS_AXIS_LABELS = {
    "nats": "loss (nats/char)", "bits": "loss (bits/char)", "perplexity": "perplexity"
}  # fmt: skip
# Below this, tick labels are hard to read from the back of a classroom even at scale 1.0.
_MINIMUM_POINT_SIZE = 10.0
# Strong colours per role, (on a light background, on a dark one): no single colour keeps good
# contrast against both white and near-black.
_COLOURS = {
    "raw": ("#1c5fbf", "#74b3ff"),
    "smoothed": ("#0a2f73", "#c5e0ff"),
    "validation": ("#d9480f", "#ffa94d"),
    "clipped": ("#9c36b5", "#e599f7"),
    "marker": ("#2b8a3e", "#69db7c"),
    "diverged": ("#e03131", "#ff6b6b"),
    "grad_norm": ("#1864ab", "#74c0fc"),
    "threshold": ("#d9480f", "#ffa94d"),
}
# Labels of vertical lines cycle through these heights (fractions of the view) so that markers
# close together do not print their labels on top of each other.
_LABEL_HEIGHTS = (0.95, 0.82, 0.69, 0.56)
# Downsampled curves keep this many (min, max) pairs per pixel column. pyqtgraph's default of 5
# looks the same on screen and costs about 8 ms more per paint at a million points.
_SAMPLES_PER_PIXEL = 1.5
# Clipping markers are binned to one per this many pixels: pyqtgraph spends about 3 µs a symbol,
# so 10,000 overlapping triangles would cost 30 ms a redraw and show nothing more.
_MARKER_SPACING_PX = 3.0


def convert_loss(nats: np.ndarray | float, unit: str) -> np.ndarray:
    """Nats per character to the display unit: bits = nats / ln 2, perplexity = exp(nats)."""
    values = np.array(nats, dtype=np.float64)
    if unit == "bits":
        return values / math.log(2.0)
    if unit == "perplexity":
        with np.errstate(over="ignore"):  # a diverged loss becomes inf, which plots leave out
            return np.exp(values)
    if unit != "nats":
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    return values


def debiased_moving_average(
    values: np.ndarray, decay: float, biased: float, count: int
) -> tuple[np.ndarray, float, int]:
    """Exponential moving average, debiased like Adam so the first points are not pulled to 0.

    Continues from the state (biased average, number of finite values so far) and returns the
    smoothed values and the new state. Non-finite values (a diverged loss) are skipped rather than
    poisoning every later point. Vectorised in chunks of 256 so that decay ** -n cannot overflow.
    """
    smoothed = np.empty(len(values), dtype=np.float64)
    for start in range(0, len(values), 256):
        chunk = np.asarray(values[start : start + 256], dtype=np.float64)
        finite = np.isfinite(chunk)
        factors = np.cumprod(np.where(finite, decay, 1.0))
        inputs = np.where(finite, (1.0 - decay) * np.where(finite, chunk, 0.0), 0.0)
        running = factors * (biased + np.cumsum(inputs / factors))
        counts = count + np.cumsum(finite)
        with np.errstate(invalid="ignore", divide="ignore"):  # no finite value yet: NaN
            smoothed[start : start + len(chunk)] = running / (1.0 - decay**counts)
        biased, count = float(running[-1]), int(counts[-1])
    return smoothed, biased, count


class GrowingArray:
    """Append-only NumPy storage whose capacity doubles, so N appends cost O(N) in total."""

    def __init__(self, dtype: type, capacity: int = 1024) -> None:
        self._buffer = np.empty(capacity, dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=self._buffer.dtype).reshape(-1)
        needed = self._size + len(values)
        if needed > len(self._buffer):
            grown = np.empty(max(needed, 2 * len(self._buffer)), dtype=self._buffer.dtype)
            grown[: self._size] = self._buffer[: self._size]
            self._buffer = grown  # views handed out earlier keep the old buffer, unchanged
        self._buffer[self._size : needed] = values
        self._size = needed

    def view(self) -> np.ndarray:
        """The values without copying; later appends never change what an earlier view shows."""
        return self._buffer[: self._size]

    def clear(self) -> None:
        self._size = 0


class _StepAxis(pg.AxisItem):
    """Steps as 2500, 200k, 1.5M: "1e+06" is easy to misread."""

    def tickStrings(self, values, scale, spacing):
        def text(value: float) -> str:
            if abs(value) >= 1e6:
                return f"{value / 1e6:g}M"
            return f"{value / 1e3:g}k" if abs(value) >= 1e4 else f"{value:g}"

        return [text(value * scale) for value in values]


class _LogAxis(pg.AxisItem):
    """Log ticks at 1, 2 and 5 times powers of ten, written plainly (0.5, 10, 200) where short:
    1 to 9 collide at presentation sizes, and "10¹" beside "5" puzzles students."""

    def logTickStrings(self, values, scale, spacing):
        plain = [f"{10.0**value * scale:g}" for value in values]
        fancy = super().logTickStrings(values, scale, spacing)
        return [short if "e" not in short else long for short, long in zip(plain, fancy)]

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N803 (pyqtgraph API)
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        if maxVal - minVal < 1.0:  # under a decade: every tick fits
            return ticks
        wanted = np.log10([1.0, 2.0, 5.0]) if maxVal - minVal < 3.0 else np.zeros(1)
        return [
            (spacing, [v for v in values if np.isclose(v - math.floor(v), wanted).any()])
            for spacing, values in ticks
        ]


def _labelled_line(text: str, position: float, vertical: bool) -> pg.InfiniteLine:
    return pg.InfiniteLine(
        angle=90 if vertical else 0,
        label=text.replace("{", "{{").replace("}", "}}"),  # a format string: keep braces literal
        # The label sits on whichever side of the line has more of the view, so it is never cut
        # off at an edge: beside a vertical line; at the right end of a horizontal one, where a
        # falling curve has left room.
        labelOpts={
            "position": position,
            "anchors": [(0, 0.5), (1, 0.5)] if vertical else [(1, 0), (1, 1)],
        },
    )


class _StepPlot(pg.PlotWidget):
    """What both plots share: palette-following colours, font scale, timer-driven redraws."""

    def __init__(self, name: str, title: str, y_label: str, **options) -> None:
        super().__init__(**options)
        self.setObjectName(name)
        self._title, self._y_label = title, y_label
        self._font_scale = 1.0
        # Taken once: presentation mode may enlarge the application font as well as call
        # set_font_scale, and following both would scale the plots twice.
        self._base_point_size = max(self.font().pointSizeF(), _MINIMUM_POINT_SIZE)
        self._dirty = False
        self._lines: list[tuple[pg.InfiniteLine, str, Qt.PenStyle]] = []  # line, colour, style
        self._redraw_timer = QTimer(self, singleShot=True, interval=REDRAW_INTERVAL_MS)
        self._redraw_timer.timeout.connect(self.flush)
        self.showGrid(x=True, y=True, alpha=0.2)
        # Only what fits the pixels is drawn: a million points cost about what a thousand do.
        self.setDownsampling(auto=True, mode="peak")
        self.setClipToView(True)
        for axis in ("left", "bottom"):
            self.getAxis(axis).enableAutoSIPrefix(False)  # "(x0.001)" is easy to misread
            # Two grid levels, not three: calmer for students, and 6 ms less per paint.
            self.getAxis(axis).setStyle(maxTickLevel=1)
        # Below the step axis rather than over the data, where it would hide a rising loss or a
        # marker's label sooner or later. Named curves join it (PlotItem.addItem reads .legend).
        self.legend = pg.LegendItem(frame=False, colCount=2, horSpacing=10)
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.getPlotItem().layout.addItem(self.legend, 4, 1, Qt.AlignmentFlag.AlignHCenter)
        self.getPlotItem().legend = self.legend
        self.clip_markers: pg.PlotDataItem | None = None  # each plot makes its own
        self.getViewBox().sigXRangeChanged.connect(self._place_clip_markers)
        self.getViewBox().sigResized.connect(self._place_clip_markers)

    def flush(self) -> None:
        """Draw buffered points now (the timer calls this; export and tests may too)."""
        self._redraw_timer.stop()
        if self._dirty and self._alive():
            self._dirty = False
            self._redraw()

    def set_font_scale(self, scale: float) -> None:
        self._font_scale = max(0.5, float(scale))
        self._restyle()
        self._place_clip_markers()  # bigger markers, fewer of them

    def font_scale(self) -> float:
        return self._font_scale

    def _curve(self, name: str, symbol: str | None = None, line: bool = True) -> pg.PlotDataItem:
        curve = pg.PlotDataItem(
            name=name, symbol=symbol, autoDownsampleFactor=_SAMPLES_PER_PIXEL,
            **({} if line else {"pen": None}),
        )  # fmt: skip
        # addItem applies the plot's downsampling and clipping. Markers sit on the curve, so
        # they need not count for the auto range: if they did, binning them by the range would
        # move the range, which would bin them again, on every paint.
        self.addItem(curve, ignoreBounds=not line)
        # The limiter scans every stored point on each redraw (7 ms at a million); losses and
        # norms are not wild enough to need it.
        curve.setDynamicRangeLimit(None)
        if not line:  # binned by _place_clip_markers instead
            curve.setDownsampling(ds=1, auto=False)
            curve.setClipToView(False)
        return curve

    def _place_clip_markers(self, *_unused) -> None:
        """Show the clipping events in view, at most one per _MARKER_SPACING_PX pixels."""
        if self.clip_markers is None or not self._alive():
            return
        steps, values = self._clip_events()
        view = self.getViewBox()
        (left, right), _ = view.viewRange()
        all_steps = self._buffers["steps"].view()
        if view.autoRangeEnabled()[0] and len(all_steps):
            # The view is about to span every step; its range may still be the previous one.
            left, right = all_steps[0], all_steps[-1]
        low, high = int(np.searchsorted(steps, left)), int(np.searchsorted(steps, right, "right"))
        bins = max(1, int(view.width() / (_MARKER_SPACING_PX * self._font_scale)))
        chosen = np.arange(low, high)
        if high - low > bins and right > left:
            bin_of = ((steps[low:high] - left) * (bins / (right - left))).astype(np.int64)
            chosen = low + np.flatnonzero(np.diff(bin_of, prepend=-1))  # first event per bin
        self.clip_markers.setData(x=steps[chosen], y=values[chosen])

    def _clip_events(self) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _add_line(self, step_or_value: float, text: str, role: str, style: Qt.PenStyle):
        vertical = role in ("marker", "diverged")
        height = _LABEL_HEIGHTS[sum(line.angle == 90 for line, _, _ in self._lines) % 4]
        line = _labelled_line(text, height if vertical else 0.98, vertical)
        line.setValue(step_or_value)
        line.setZValue(5)
        self._lines.append((line, role, style))
        # A horizontal reference (uniform guess, clip threshold) stays in view even where the
        # curve never reaches it; a vertical marker must not stretch the step axis.
        self.addItem(line, ignoreBounds=vertical)
        self._style_line(line, role, style)
        return line

    def _remove_line(self, line: pg.InfiniteLine) -> None:
        self.removeItem(line)
        self._lines = [entry for entry in self._lines if entry[0] is not line]

    def _schedule_redraw(self) -> None:
        self._dirty = True
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def _palette_colour(self, role: QPalette.ColorRole, alpha: int = 255) -> QColor:
        colour = QColor(self.palette().color(role))
        colour.setAlpha(alpha)
        return colour

    def _colour(self, role: str, strength: float = 1.0) -> QColor:
        """The role's colour, faded towards the background by strength yet opaque: pyqtgraph
        has no fast path for wide translucent lines (200,000 points took seconds to paint)."""
        background = self._palette_colour(QPalette.ColorRole.Base)
        if role == "text":
            colour = self._palette_colour(QPalette.ColorRole.Text)
        else:
            colour = QColor(_COLOURS[role][background.lightness() < 128])
        pairs = zip(colour.getRgbF()[:3], background.getRgbF()[:3])
        return QColor.fromRgbF(*(strength * ink + (1 - strength) * paper for ink, paper in pairs))

    def _pen(self, colour: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine):
        return pg.mkPen(colour, width=width * self._font_scale, style=style)

    def _point_size(self, factor: float = 1.0) -> float:
        return self._base_point_size * factor * self._font_scale

    def _font(self, factor: float = 1.0, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(self._point_size(factor))
        font.setBold(bold)
        return font

    def _style_line(self, line: pg.InfiniteLine, role: str, style: Qt.PenStyle) -> None:
        colour = self._colour(role)
        line.setPen(self._pen(colour, 2.5 if role == "diverged" else 2.0, style))
        line.label.setColor(colour)
        line.label.setFont(self._font(0.95, bold=role == "diverged"))
        # A translucent backing keeps the label readable where it crosses a curve.
        line.label.fill = pg.mkBrush(self._palette_colour(QPalette.ColorRole.Base, 210))
        line.label.update()

    def _restyle(self) -> None:
        """Apply palette colours and the font scale to axes, title, legend, lines and curves."""
        text = self._colour("text")
        self.setBackground(self._palette_colour(QPalette.ColorRole.Base))
        for name, label in (("left", self._y_label), ("bottom", "step")):
            axis = self.getAxis(name)
            axis.setPen(pg.mkPen(text, width=max(1.0, self._font_scale)))
            axis.setTextPen(text)
            axis.setTickFont(self._font())
            axis.setStyle(tickTextOffset=int(5 * self._font_scale))
            axis.setLabel(label, color=text.name(), **{"font-size": f"{self._point_size(1.1)}pt"})
        self.setTitle(self._title, color=text.name(), size=f"{self._point_size(1.15)}pt")
        # pyqtgraph fixes the title row at 30 px: too short for large or two-line titles.
        title_height = self.getPlotItem().titleLabel.item.boundingRect().height()
        self.getPlotItem().titleLabel.setMaximumHeight(title_height)
        self.getPlotItem().layout.setRowFixedHeight(0, title_height)
        for _, label in self.legend.items:
            # The legend's own colour and size setters only store options; setText renders.
            label.setText(label.text, color=text, size=f"{self._point_size(0.95)}pt")
        for line, role, style in self._lines:
            self._style_line(line, role, style)
        self._restyle_curves()
        if self._fit_legend(self.width()):
            super().resizeEvent(None)  # lay the plot out again with the narrower legend

    def _fit_legend(self, width: float) -> bool:
        """As many legend columns as the width allows (all, two or one): a legend wider than
        the widget would stretch the plot past the window's edge. True if that changed."""
        widths = [40 + label.item.boundingRect().width() for _, label in self.legend.items]
        for columns in (len(widths), 2, 1):
            rows = [widths[start : start + columns] for start in range(0, len(widths), columns)]
            if max(map(sum, rows), default=0) < width - 80:
                break
        if not widths or columns == self.legend.columnCount:
            return False
        self.legend.setColumnCount(columns)
        return True

    def resizeEvent(self, event) -> None:
        # Before the plot takes the new size: it cannot be narrower than its legend. Not once
        # closed: the legend's text items are gone, and touching them crashes.
        if self._alive():
            self._fit_legend(event.size().width())
        super().resizeEvent(event)

    def _restyle_markers(self, markers: pg.PlotDataItem) -> None:
        colour = self._colour("clipped", 0.8)
        markers.setZValue(1)
        markers.setSymbolBrush(colour)
        markers.setSymbolPen(None)
        markers.setSymbolSize(round(6 * self._font_scale))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._alive():
            self._restyle()

    def _alive(self) -> bool:
        """Built (Qt sends events during construction too) and not yet closed."""
        return hasattr(self, "_ready") and not self.closed

    def _redraw(self) -> None:
        raise NotImplementedError

    def _restyle_curves(self) -> None:
        raise NotImplementedError


class LossPlot(_StepPlot):
    """Training loss per step (raw and smoothed), validation loss, uniform guess and markers."""

    def __init__(self, parent=None, smoothing: float = 0.98) -> None:
        super().__init__(
            "lossPlot", "loss", _LOSS_AXIS_LABELS["nats"], parent=parent,
            axisItems={"bottom": _StepAxis("bottom")},
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


class GradNormPlot(_StepPlot):
    """Gradient norm before clipping per step on a log axis, with the clipping threshold."""

    _TITLE = "gradient norm (before clipping)"

    def __init__(self, parent=None) -> None:
        super().__init__(
            "gradNormPlot", self._TITLE, "gradient norm", parent=parent,
            axisItems={"left": _LogAxis("left"), "bottom": _StepAxis("bottom")},
        )  # fmt: skip
        self._buffers = {"clipped": GrowingArray(np.bool_)}
        for name in ("steps", "clip_steps"):
            self._buffers[name] = GrowingArray(np.int64)
        for name in ("grad_norms", "log_norms", "clip_log_norms"):
            self._buffers[name] = GrowingArray(np.float64)
        self._threshold = ("none", 0.0)
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
        self._threshold = (mode, float(value))
        show_line = mode == "norm" and value > 0
        self.threshold_line.setVisible(show_line)  # first: a hidden line's label ignores new text
        if show_line:
            self.threshold_line.setValue(math.log10(value))  # the view's y is log10(norm)
            self.threshold_line.label.setFormat(f"clip threshold {value:g}")
        # A second line rather than a wider title: the title sets the plot's minimum width.
        each = f"<br>clipping each element at ±{value:g}" if mode == "value" else ""
        self._title = self._TITLE + each
        self._restyle()

    def threshold(self) -> tuple[str, float]:
        return self._threshold

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
