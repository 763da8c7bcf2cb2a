"""What the training plots share: a PlotWidget with palette-following colours, a font scale,
labelled marker lines, binned clipping markers and timer-driven redraws.

Points arrive in small batches from training signals. Subclasses store them in growing NumPy buffers
and a single-shot timer redraws at most about 30 times a second, so a run of a million steps stays
fluid: calling setData per signal would redraw the whole history each time and flood the event
queue.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QSizePolicy

from rnnlab.gui.widgets.style import MINIMUM_POINT_SIZE, faded, point_size, role_colour

REDRAW_INTERVAL_MS = 33  # about 30 Hz
# Labels of vertical lines cycle through these heights (fractions of the view) so that markers
# close together do not print their labels on top of each other.
_LABEL_HEIGHTS = (0.95, 0.82, 0.69, 0.56)
# Downsampled curves keep this many (min, max) pairs per pixel column. pyqtgraph's default of 5
# looks the same on screen and costs about 8 ms more per paint at a million points.
_SAMPLES_PER_PIXEL = 1.5
# Clipping markers are binned to one per this many pixels: pyqtgraph spends about 3 µs a symbol,
# so 10,000 overlapping triangles would cost 30 ms a redraw and show nothing more.
_MARKER_SPACING_PX = 3.0


def _labelled_line(text: str, position: float, vertical: bool) -> pg.InfiniteLine:
    """The label sits on whichever side of the line has more of the view, so it is never cut
    off at an edge: beside a vertical line; above or below a horizontal one, at the end its
    ``position`` (a fraction of the view's width) is at."""
    end = 1 if position > 0.5 else 0
    return pg.InfiniteLine(
        angle=90 if vertical else 0,
        label=text.replace("{", "{{").replace("}", "}}"),  # a format string: keep braces literal
        labelOpts={
            "position": position,
            "anchors": [(0, 0.5), (1, 0.5)] if vertical else [(end, 0), (end, 1)],
        },
    )


class StepPlot(pg.PlotWidget):
    """What both plots share: palette-following colours, font scale, timer-driven redraws."""

    def __init__(self, name: str, title: str, y_label: str, **options) -> None:
        super().__init__(**options)
        self.setObjectName(name)
        self._title, self._y_label, self._x_label = title, y_label, "step"
        self._font_scale = 1.0
        # Taken once: presentation mode may enlarge the application font as well as call
        # set_font_scale, and following both would scale the plots twice.
        self._base_point_size = max(point_size(self.font()), MINIMUM_POINT_SIZE)
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

    def _curve(
        self, name: str, symbol: str | None = None, line: bool = True,
        samples_per_pixel: float = _SAMPLES_PER_PIXEL,
    ) -> pg.PlotDataItem:  # fmt: skip
        curve = pg.PlotDataItem(
            name=name, symbol=symbol, autoDownsampleFactor=samples_per_pixel,
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
        xs, values = self._clip_events()
        view = self.getViewBox()
        (left, right), _ = view.viewRange()
        extent = self._x_extent()
        if view.autoRangeEnabled()[0] and extent is not None:
            # The view is about to span every point; its range may still be the previous one.
            left, right = extent
        low, high = int(np.searchsorted(xs, left)), int(np.searchsorted(xs, right, "right"))
        bins = max(1, int(view.width() / (_MARKER_SPACING_PX * self._font_scale)))
        chosen = np.arange(low, high)
        if high - low > bins and right > left:
            # The first event per bin by binary search on the bin edges: the cost grows with
            # the bins, not with the events in view (a million clipped steps). Integer edges
            # for integer x (steps): searching floats would convert every step to a float.
            edges = left + np.arange(bins + 1) * ((right - left) / bins)
            if xs.dtype.kind == "i":
                edges = np.ceil(edges).astype(xs.dtype)
            chosen = np.unique(np.searchsorted(xs, edges))
            chosen = chosen[(chosen >= low) & (chosen < high)]
        self.clip_markers.setData(x=xs[chosen], y=values[chosen])

    def _clip_events(self) -> tuple[np.ndarray, np.ndarray]:
        """The x (sorted) and y of the clipping events to mark."""
        raise NotImplementedError

    def _x_extent(self) -> tuple[float, float] | None:
        """The smallest and largest x of the data, or None without data."""
        return None

    def _add_line(
        self, step_or_value: float, text: str, role: str, style: Qt.PenStyle, at_start: bool = False
    ):
        """A labelled vertical marker (roles "marker" and "diverged") or horizontal reference.
        A horizontal one's label is at the right end, where a falling curve has left room; or,
        ``at_start``, at the left, where a curve that falls towards the line has not yet come
        down (it ends near the line, at the right)."""
        vertical = role in ("marker", "diverged")
        height = _LABEL_HEIGHTS[sum(line.angle == 90 for line, _, _ in self._lines) % 4]
        line = _labelled_line(text, height if vertical else 0.02 if at_start else 0.98, vertical)
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
        """The role's colour, faded towards the background by strength yet opaque."""
        background = self._palette_colour(QPalette.ColorRole.Base)
        if role == "text":
            colour = self._palette_colour(QPalette.ColorRole.Text)
        else:
            colour = role_colour(self, role)
        return faded(colour, background, strength)

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

    def _labelled_axes(self) -> tuple[tuple[str, str], ...]:
        """(side, label) of each axis ``_restyle`` styles: a plot with another axis adds it."""
        return (("left", self._y_label), ("bottom", self._x_label))

    def _restyle(self) -> None:
        """Apply palette colours and the font scale to axes, title, legend, lines and curves."""
        text = self._colour("text")
        self.setBackground(self._palette_colour(QPalette.ColorRole.Base))
        for name, label in self._labelled_axes():
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
            size = f"{self._point_size(0.95)}pt"
            label.setText(label.text, color=text, size=size, bold=self._legend_bold(label))
        for line, role, style in self._lines:
            self._style_line(line, role, style)
        self._restyle_curves()
        # Laid out again with a legend of fewer columns, or where an earlier, wider legend (or
        # axis) left the plot wider than the widget: the layout only shrinks when asked to.
        overflows = self.getPlotItem().geometry().width() > self.width() + 0.5
        if self._fit_legend(self.width()) or overflows:
            super().resizeEvent(None)

    def _legend_bold(self, label: pg.LabelItem) -> bool:
        """Whether this legend entry is set in bold."""
        return False

    def _fit_legend(self, width: float) -> bool:
        """As few legend rows as the width allows, each one taken from the plot's height: a
        legend wider than the widget would stretch the plot past the window's edge. Of the
        layouts with that many rows, the one with the fewest columns (4 entries: 2 + 2, not
        3 + 1). True if the column count changed."""
        samples = [sample.boundingRect().width() for sample, _ in self.legend.items]
        widths = [label.item.boundingRect().width() for _, label in self.legend.items]
        if not widths:  # nothing to fit
            return False

        def needed(columns: int) -> float:
            # Entries fill rows first, in a grid: each column of swatches and each column of
            # texts is as wide as its widest; 20 pixels of spacing per entry.
            return sum(
                max(samples[column::columns]) + max(widths[column::columns]) + 20
                for column in range(columns)
            )

        # The legend sits under the view box: room for it is the width less the y axes (80 px
        # for the left one; a right one, as the loss plot's accuracy axis, as wide as it is).
        right = self.getPlotItem().getAxis("right")
        room = width - 80 - (right.width() if right.isVisible() else 0)
        fits = [columns for columns in range(len(widths), 0, -1) if needed(columns) < room]
        columns = fits[0] if fits else 1
        balanced = math.ceil(len(widths) / math.ceil(len(widths) / columns))
        if needed(balanced) < room:
            columns = balanced
        if columns == self.legend.columnCount:
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
