"""What the inspector's line plots share: a StepPlot with a log y axis, one colour per layer that
is the same in every view, a centred hint while there is nothing to show, and hover texts.

Used by the gradient flow plot (``rnnlab.gui.inspector.gradient_views``) and by the group norm
and spectrum plots (``rnnlab.gui.inspector.weight_plots``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QPalette
from PySide6.QtWidgets import QLabel, QToolTip

from rnnlab.gui.plots.plot_axes import LogAxis, StepAxis
from rnnlab.gui.plots.plot_base import StepPlot
from rnnlab.gui.plots.plotted_run import fill_legend
from rnnlab.gui.widgets.style import ROLE_COLOURS, faded, is_dark
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

# Series colours, (on a light background, on a dark one). Layer k always takes entry k - 1, so
# "layer 2" is the same colour in the flow, spectrum and group norm plots.
SERIES_COLOURS = (
    ROLE_COLOURS["raw"],  # blue
    ROLE_COLOURS["validation"],  # orange
    ROLE_COLOURS["marker"],  # green
    ROLE_COLOURS["clipped"],  # purple
    ("#0b7285", "#66d9e8"),  # teal
    ("#c92a2a", "#ff8787"),  # red
)
# Colours of series that are no layer (the embedding and output groups): greys and olive.
OTHER_COLOURS = {"embedding": ("#5c940d", "#a9e34b"), "output": ("#495057", "#ced4da")}


@dataclass(frozen=True)
class LegendEntry:
    """One line of a plot's legend: the item whose pen the swatch shows, its text, the swatch's
    length in pixels (None: pyqtgraph's own) and whether the text is bold (the current run)."""

    item: pg.PlotDataItem
    text: str
    length: float | None = None
    bold: bool = False


def log10_or_nan(values: np.ndarray) -> np.ndarray:
    """log10 of positive values; NaN (a gap in a curve) for zero, negative or non-finite ones,
    which a log axis cannot show."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(values)
    logs[~np.isfinite(logs)] = np.nan
    return logs


class SeriesPlot(StepPlot):
    """A StepPlot with named series on a log y axis. Subclasses implement ``_redraw``,
    ``_restyle_curves`` and may give ``hover_text`` for the point under the mouse."""

    def __init__(
        self, name: str, y_label: str, x_label: str = "step", parent=None, step_axis: bool = True,
        short_x_label: str = "",
    ) -> None:  # fmt: skip
        bottom = StepAxis("bottom") if step_axis else pg.AxisItem("bottom")
        # No title of its own: the ViewFrame around the view shows one.
        super().__init__(
            name, "", y_label, parent=parent, axisItems={"left": LogAxis("left"), "bottom": bottom}
        )
        self._x_label = x_label
        # Under a plot narrowed by a legend beside it, where the long label would be cut off.
        self._short_x_label = short_x_label or x_label
        # PlotWidget binds PlotItem.clear (remove every item) onto each instance, which would
        # hide the subclasses' clear (forget the data, keep the plot): unbind it.
        del self.clear
        # Only the axis is logarithmic; curves get log10 values (see log10_or_nan), computed
        # once per point, and zero norms become gaps instead of breaking the log.
        self.getAxis("left").setLogMode(False, True)
        self.hint = QLabel(EMPTY_HINT, self, objectName="plotHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.scene().sigMouseMoved.connect(self._show_hover)
        self._bold_labels: list[pg.LabelItem] = []  # legend texts set in bold
        self._legend_layout: list[tuple[int, float | None, bool]] = []  # what _show_legend built
        self._legend_beside = False  # one column right of the plot, rather than rows below it

    def hint_text(self) -> str:
        """The centred message shown instead of data ("" while data is shown)."""
        return self.hint.text() if not self.hint.isHidden() else ""

    def legend_texts(self) -> list[str]:
        """The legend's entries, in order (what a user reads under the plot)."""
        return [label.text for _, label in self.legend.items]

    def hover_text(self, x: float, log_y: float) -> str | None:
        """What the point nearest to (x, log10 y) in view coordinates means, or None."""
        return None

    def _show_hint(self, text: str | None) -> None:
        """Show ``text`` instead of the plot (None: the plot); axes without data would only
        show meaningless ticks behind it."""
        self.hint.setText(text or "")
        self.hint.setVisible(bool(text))
        for axis in ("left", "bottom"):
            self.getPlotItem().showAxis(axis, not text)
        self.showGrid(x=not text, y=not text, alpha=0.2)

    def _show_legend(self, entries: list[LegendEntry], beside: bool = False) -> None:
        """Make the legend these entries, in order: in rows below the plot, or ``beside`` it in
        one column (the inspector's pages are short: a column of run names costs width, rows
        would cost the height the curves need). Rebuilt only when its items, swatches or bold
        entries change; a changed text alone is set in place (inspections come several times a
        second, and a rebuild restyles the whole plot)."""
        self._place_legend(beside)
        layout = [(id(entry.item), entry.length, entry.bold) for entry in entries]
        items = [sample.item for sample, _ in self.legend.items]
        if (
            layout == self._legend_layout
            and all(item is entry.item for item, entry in zip(items, entries))
            and len(items) == len(entries)
        ):
            for entry in entries:
                self._set_legend_text(entry.item, html.escape(entry.text))
            return
        labels = fill_legend(
            self.legend, [(entry.item, entry.text, entry.length) for entry in entries]
        )
        self._bold_labels = [label for label, entry in zip(labels, entries) if entry.bold]
        self._legend_layout = layout
        if self._alive():
            self._restyle()  # the new labels take the colours, font scale and fit

    def _legend_bold(self, label: pg.LabelItem) -> bool:
        return any(label is bold for bold in self._bold_labels)

    def _place_legend(self, beside: bool) -> None:
        if beside == self._legend_beside:
            return
        self._legend_beside = beside
        self._legend_layout = []  # rebuild and restyle: the x label changes too
        layout = self.getPlotItem().layout
        layout.removeItem(self.legend)
        if beside:  # the view box's row, right of the (hidden) right axis
            layout.addItem(self.legend, 2, 3, Qt.AlignmentFlag.AlignVCenter)
            self.legend.setColumnCount(1)
        else:  # where StepPlot puts it: below the step axis
            layout.addItem(self.legend, 4, 1, Qt.AlignmentFlag.AlignHCenter)

    def _fit_legend(self, width: float) -> bool:
        if not self._legend_beside:
            return super()._fit_legend(width)
        changed = self.legend.columnCount != 1
        self.legend.setColumnCount(1)
        return changed

    def _set_legend_text(self, curve: pg.PlotDataItem, text: str) -> None:
        """Rename ``curve`` in the legend, keeping the legend's style and fit."""
        label = self.legend.getLabel(curve)
        if label is None or label.text == text:
            return
        label.setText(text, color=self._colour("text"), size=f"{self._point_size(0.95)}pt")
        if self._fit_legend(self.width()):
            pg.PlotWidget.resizeEvent(self, None)  # lay out again for the new legend, as StepPlot

    def _series_colour(self, key: int | str, strength: float = 1.0) -> QColor:
        """Colour of layer ``key`` (0-based) or of a named other series, faded towards the
        background by ``strength`` yet opaque (see StepPlot._colour)."""
        background = self._palette_colour(QPalette.ColorRole.Base)
        pair = OTHER_COLOURS[key] if isinstance(key, str) else SERIES_COLOURS[key % 6]
        return faded(QColor(pair[is_dark(self)]), background, strength)

    def _restyle(self) -> None:
        super()._restyle()
        self.getPlotItem().setTitle(None)  # hide the empty title row StepPlot sized
        text = self._colour("text")
        size = {"font-size": f"{self._point_size(1.1)}pt"}
        label = self._short_x_label if self._legend_beside else self._x_label
        self.getAxis("bottom").setLabel(label, color=text.name(), **size)
        self.hint.setFont(self._font(1.15))
        self.hint.setStyleSheet(f"color: {text.name()}; background: transparent;")
        self._place_hint()

    def _place_hint(self) -> None:
        margin = int(40 * self._font_scale)
        self.hint.setGeometry(self.rect().adjusted(margin, margin, -margin, -margin))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._alive():
            self._place_hint()

    def _show_hover(self, scene_position: QPointF) -> None:
        view = self.getViewBox()
        if not self._alive() or not view.sceneBoundingRect().contains(scene_position):
            return
        point = view.mapSceneToView(scene_position)
        text = self.hover_text(point.x(), point.y())
        if text:
            QToolTip.showText(QCursor.pos(), text, self)

    def _nearest(
        self, series: dict[str, tuple[np.ndarray, np.ndarray]], x: float, log_y: float
    ) -> tuple[str, int] | None:
        """The (series name, index) of the point nearest to (x, log_y) on screen, or None."""
        view = self.getViewBox()
        (left, right), (bottom, top) = view.viewRange()
        # Pixels per unit, so that a decade and a step count the same as on screen.
        x_scale = view.width() / max(right - left, 1e-12)
        y_scale = view.height() / max(top - bottom, 1e-12)
        best, best_distance = None, 20.0 * self._font_scale  # pixels: nearer, or nothing
        for name, (xs, ys) in series.items():
            logs = log10_or_nan(ys)
            distances = np.hypot((xs - x) * x_scale, (logs - log_y) * y_scale)
            distances[np.isnan(distances)] = np.inf
            if len(distances) and distances.min() < best_distance:
                best, best_distance = (name, int(distances.argmin())), float(distances.min())
        return best
