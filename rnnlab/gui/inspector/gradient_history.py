"""The gradient's fade over training as a heatmap: one column per inspection, one row per distance
back from the predicted character, coloured by log10(‖∂L/∂h_(T-1-d)‖ / ‖∂L/∂h_(T-1)‖).

The vanishing pattern develops column by column as training goes on. Every layer's history is
stored, so choosing another layer redraws at once. On a task, row 0 is the answer and the newest
sequence's marked positions are marked (``history_marks``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QFontMetrics, QPalette
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QToolTip, QVBoxLayout, QWidget

from rnnlab.core.probe_result import Inspection
from rnnlab.gui.inspector.history_marks import TASK_TOOLTIP, TEXT_TOOLTIP, ColumnNote, HistoryMarks
from rnnlab.gui.plots.plot_axes import StepAxis
from rnnlab.gui.widgets.style import base_point_size, scaled_font
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

LEVELS = (-10.0, 2.0)  # log10 of the relative gradient; beyond these the colour is clamped
MAX_COLUMNS = 1000  # when full, every other column is dropped: the whole run stays in view
BAR_LABEL = "log10 of the gradient<br>relative to the loss position"
DISTANCE_LABEL = "distance back (steps)"
# ColorBrewer RdBu (colour-blind safe): darkest blue at the lowest level up to the neutral grey
# at 0, then the reds up to the highest level.
_BLUES = ("#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7")
_REDS = ("#f4a582", "#b2182b")


def relative_log10(norms: np.ndarray) -> np.ndarray:
    """log10(‖∂L/∂h_(T-1-d)‖ / ‖∂L/∂h_(T-1)‖) for d = 0..T-1 from norms (T,) by position:
    0 at d = 0, -inf where the gradient is exactly zero, all NaN if the last one is zero or
    not finite (a run that diverged)."""
    norms = np.asarray(norms, dtype=np.float64)[::-1]
    if len(norms) == 0 or not 0 < norms[0] < np.inf:
        return np.full(len(norms), np.nan)
    with np.errstate(divide="ignore"):
        return np.log10(norms / norms[0])


def diverging_map(low: float, high: float) -> pg.ColorMap:
    """ColorBrewer's RdBu with its neutral centre at 0 of the levels (low, high): blues darken
    over low..0 (fading), reds over 0..high (growing), so each side has its whole lightness range
    however unequal the two sides are."""
    centre = -low / (high - low)
    below = np.linspace(0.0, centre, len(_BLUES))
    positions = np.concatenate([below, np.linspace(centre, 1.0, len(_REDS) + 1)[1:]])
    colours = list(_BLUES) + list(_REDS)
    return pg.ColorMap(positions, [QColor(colour) for colour in colours])


class _ColumnAxis(StepAxis):
    """Column indices labelled with the training step of the inspection in that column."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.steps = np.zeros(0, dtype=np.int64)

    def tickValues(self, minVal, maxVal, size):  # noqa: N803 (pyqtgraph API)
        # Whole columns only: a tick between two columns has no step.
        return [
            (max(1.0, spacing), [v for v in values if v == int(v) and 0 <= v < len(self.steps)])
            for spacing, values in super().tickValues(minVal, maxVal, size)[:1]
        ]

    def tickStrings(self, values, scale, spacing):
        return super().tickStrings([self.steps[int(value)] for value in values], 1.0, spacing)


class GradientHistoryView(QWidget):
    """Heatmap of the gradient's fade over training for the chosen layer. The image is (N, D):
    column n is the n-th inspection (x, labelled with its step), row d the distance back (y, 0 at
    the bottom). Shorter probe texts leave NaN rows (hatched background) so that a row always
    means one distance; a repeated step replaces its column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientHistoryView")
        self._layer = 0
        self._font_scale = 1.0
        self._base_point_size = base_point_size(self)
        # (layers, capacity, distances) float32 log10 relative gradients, NaN where none.
        self._values = np.full((0, 0, 0), np.nan, dtype=np.float32)
        self._steps: list[int] = []
        self._notes: list[ColumnNote] = []  # each column's text, task and marks, for hovers
        self._axis = _ColumnAxis()
        self.plot = pg.PlotWidget(axisItems={"bottom": self._axis})
        self.plot.setMouseEnabled(x=False, y=False)  # always the whole run: nothing to lose
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        for name in ("left", "bottom"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.image_item = pg.ImageItem(axisOrder="col-major")
        colour_map = diverging_map(*LEVELS)
        self.image_item.setColorMap(colour_map)
        # Padding (NaN, drawn transparent) shows this hatched rectangle behind the image.
        self._padding = QGraphicsRectItem()
        self._padding.setPen(pg.mkPen(None))
        self._padding.setZValue(-1)
        self.plot.addItem(self._padding, ignoreBounds=True)
        self.plot.addItem(self.image_item)
        self.marks = HistoryMarks(self.plot)
        self.colour_bar = pg.ColorBarItem(
            values=LEVELS, colorMap=colour_map, label=BAR_LABEL, interactive=False,
            colorMapMenu=False,
        )  # fmt: skip
        self.colour_bar.setImageItem(self.image_item, insert_in=self.plot.getPlotItem())
        # The ends are clamped: say so on their ticks.
        low, high = round(LEVELS[0]), round(LEVELS[1])
        ticks = [(value, f"{value:g}".replace("-", "−")) for value in range(low, high + 1, 2)]
        ticks[0], ticks[-1] = (low, f"≤ −{-low}"), (high, f"≥ {high}")
        self.colour_bar.axis.setTicks([ticks, []])
        self.hint = QLabel(EMPTY_HINT, self.plot, objectName="plotHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.plot.scene().sigMouseMoved.connect(self._show_hover)
        self.setToolTip(TEXT_TOOLTIP)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self._restyle()
        self._ready = True
        self._redraw()

    def show_inspection(self, inspection: Inspection) -> None:
        probe = inspection.probe
        columns = [relative_log10(layer.gradient_norms) for layer in probe.layers]
        if not (self._steps and self._steps[-1] == inspection.step):
            if len(self._steps) == MAX_COLUMNS:  # keep every other column, the first included
                kept = len(self._steps[::2])
                self._values[:, :kept] = self._values[:, : len(self._steps) : 2]
                self._steps, self._notes = self._steps[::2], self._notes[::2]
            self._steps.append(inspection.step)
            self._notes.append(ColumnNote())
        self._reserve(len(columns), len(self._steps), max(map(len, columns), default=0))
        column = len(self._steps) - 1
        self._values[:, column] = np.nan
        for layer, values in enumerate(columns):
            self._values[layer, column, : len(values)] = values
        self._notes[column] = ColumnNote.of(probe)
        self.setToolTip(TASK_TOOLTIP if probe.task else TEXT_TOOLTIP)
        self._redraw()

    def set_layer(self, layer: int) -> None:
        """Show layer ``layer`` (0-based) from the stored history."""
        if layer < 0:
            raise ValueError(f"layer must be 0 or more, got {layer}")
        self._layer = layer
        self._redraw()

    def layer(self) -> int:
        return self._layer

    def clear(self) -> None:
        """Forget every column (the model was reset or replaced)."""
        self._values = np.full((0, 0, 0), np.nan, dtype=np.float32)
        self._steps, self._notes = [], []
        self._redraw()

    def steps(self) -> np.ndarray:
        return np.array(self._steps, dtype=np.int64)

    def image(self) -> np.ndarray:
        """What is shown, (N, D): column n = n-th inspection, row d = distance back, clamped to
        LEVELS; NaN where that probe was shorter (or the layer has no data)."""
        return np.clip(self._raw(), *LEVELS)

    def export_data(self) -> dict[str, np.ndarray]:
        """``steps`` (N,), ``log10_relative`` (N, D) of the shown layer, unclamped (-inf where the
        gradient is exactly zero, NaN where the probe was shorter), ``layer`` (1 = the first)."""
        return {
            "steps": self.steps(), "log10_relative": self._raw(), "layer": np.array(self._layer + 1)
        }  # fmt: skip

    def set_font_scale(self, scale: float) -> None:
        self._font_scale = max(0.5, float(scale))
        self._restyle()

    def _raw(self) -> np.ndarray:
        layers, _, distances = self._values.shape
        if self._layer >= layers:
            return np.full((len(self._steps), distances), np.nan)
        return self._values[self._layer, : len(self._steps)].astype(np.float64)

    def _reserve(self, layers: int, columns: int, distances: int) -> None:
        """Grow the storage (NaN-padded) to hold this many layers, columns and distances."""
        old = self._values.shape
        if layers <= old[0] and columns <= old[1] and distances <= old[2]:
            return
        capacity = old[1] if columns <= old[1] else min(MAX_COLUMNS, max(columns, 2 * old[1], 16))
        grown = np.full(
            (max(layers, old[0]), capacity, max(distances, old[2])), np.nan, dtype=np.float32
        )
        grown[: old[0], : old[1], : old[2]] = self._values
        self._values = grown

    def _redraw(self) -> None:
        shown = self.image()
        columns, distances = shown.shape
        self._axis.steps = self.steps()
        self.hint.setVisible(columns == 0)
        # Empty: no hatched "no data" area and no axes with meaningless ticks behind the hint.
        self._padding.setVisible(columns > 0)
        for axis in ("left", "bottom"):
            self.plot.getPlotItem().showAxis(axis, columns > 0)
        self.image_item.setImage(shown if shown.size else np.full((1, 1), np.nan), levels=LEVELS)
        area = QRectF(-0.5, -0.5, max(columns, 1), max(distances, 1))
        self.image_item.setRect(area)
        self._padding.setRect(area)
        self.plot.setRange(xRange=(area.left(), area.right()), yRange=(area.top(), area.bottom()),
                           padding=0)  # fmt: skip
        self._axis.picture = None  # new step labels at the same positions
        self._axis.update()
        self.marks.show(columns - 1, self._notes[-1] if self._notes else ColumnNote())

    def _restyle(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        background = palette.color(QPalette.ColorRole.Base)
        self.plot.setBackground(background)
        hatch = QColor(text)
        hatch.setAlpha(70)
        self._padding.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        size = self._base_point_size * self._font_scale
        font = scaled_font(self.font(), size)
        label_style = {"color": text.name(), "font-size": f"{size * 1.05:.1f}pt"}
        axes = [self.plot.getAxis("left"), self._axis, self.colour_bar.axis]
        axes.append(self.colour_bar.getAxis("left"))  # carries the bar's label
        for axis in axes:
            axis.setPen(pg.mkPen(text, width=max(1.0, self._font_scale)))
            axis.setTextPen(text)
            axis.setTickFont(font)
            axis.setStyle(tickTextOffset=int(5 * self._font_scale))
        self.plot.setLabel("left", DISTANCE_LABEL, **label_style)
        self.plot.setLabel("bottom", "training step (one column per probe)", **label_style)
        self.colour_bar.getAxis("left").setLabel(BAR_LABEL, **label_style)
        metrics = QFontMetrics(font)
        self.colour_bar.axis.setWidth(
            metrics.horizontalAdvance("≤ −10") + int(12 * self._font_scale)
        )
        self.colour_bar.getAxis("left").setWidth(int(metrics.height() * 2.6) + 6)
        # Room above the plot for half of the bar's top tick label, which is centred on the end.
        margin = metrics.height() // 2 + 2
        self.plot.getPlotItem().setContentsMargins(margin, margin, margin, 4)
        self.marks.restyle(text, font, self._font_scale)
        self.hint.setFont(scaled_font(font, size * 1.15))
        self.hint.setStyleSheet(f"color: {text.name()}; background: transparent;")
        self._place_hint()

    def _place_hint(self) -> None:
        self.hint.setGeometry(self.plot.rect().adjusted(40, 40, -40, -40))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_hint()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange and hasattr(self, "_ready"):
            self._restyle()

    def hover_text(self, column: int, distance: int) -> str | None:
        """What the cell at (column, distance) means, or None outside the image."""
        shown = self._raw()
        if not (0 <= column < shown.shape[0] and 0 <= distance < shown.shape[1]):
            return None
        where = f"step {self._steps[column]:,}, {distance} steps back"
        value = shown[column, distance]
        if np.isnan(value):
            return f"{where}: no data (that probe text was shorter)"
        if np.isneginf(value):
            return f"{where}: exactly zero, the gradient has vanished completely"
        note = self._notes[column]
        trend = "faded" if value < -0.05 else "grown" if value > 0.05 else "about the same"
        return (
            f"{where} ({note.describe(distance)}): log10 = {value:.1f}\n"
            f"the gradient is {10.0**value:.2g} × {note.relative_to()} ({trend})"
        )

    def _show_hover(self, scene_position: QPointF) -> None:
        view = self.plot.getViewBox()
        if not view.sceneBoundingRect().contains(scene_position):
            return
        point = view.mapSceneToView(scene_position)
        text = self.hover_text(round(point.x()), round(point.y()))
        if text:
            QToolTip.showText(QCursor.pos(), text, self)
