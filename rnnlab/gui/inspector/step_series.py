"""What the inspector's plots of values over training steps share: named series in growing NumPy
buffers (``StepSeries``) and a plot of them (``StepSeriesPlot``), one curve with a dot per
inspection for each series, against the step. The group norm and spectrum plots
(``weight_plots``) build on them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from rnnlab.gui.plots.plot_data import GrowingArray
from rnnlab.gui.plots.series_plot import LegendEntry, SeriesPlot, log10_or_nan
from rnnlab.gui.widgets.view_frame import EMPTY_HINT

MAX_DOTS = 100  # beyond this many points a series is drawn as a line only


class StepSeries:
    """Values of named series over training steps, in the order they came, in growing NumPy
    buffers: a redraw or a hover reads them without converting the whole run again."""

    def __init__(self) -> None:
        self._points: dict[str, tuple[GrowingArray, GrowingArray]] = {}  # name -> steps, values

    def __bool__(self) -> bool:
        return bool(self._points)

    def add(self, step: int, values: dict[str, float]) -> list[str]:
        """Add one point per series (replacing the last one if it has the same step); returns
        the names seen for the first time."""
        new = [name for name in values if name not in self._points]
        for name, value in values.items():
            steps, series_values = self._points.setdefault(
                name, (GrowingArray(np.int64, 64), GrowingArray(np.float64, 64))
            )
            if len(steps) and steps.view()[-1] == step:
                series_values.view()[-1] = float(value)
            else:
                steps.append(np.array([step]))
                series_values.append(np.array([value]))
        return new

    def views(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Name -> (steps, values) without copying: for drawing, not for keeping."""
        return {
            name: (steps.view(), values.view()) for name, (steps, values) in self._points.items()
        }

    def series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Name -> (steps, values), copies the caller may keep."""
        return {
            name: (steps.copy(), values.copy()) for name, (steps, values) in self.views().items()
        }

    def table(self) -> dict[str, np.ndarray]:
        """For export: ``steps`` (N,) of all points and one (N,) column per series, its name
        with underscores ("layer_1_input"), NaN where that series has no point."""
        views = self.views()
        all_steps = np.unique(np.concatenate([steps for steps, _ in views.values()] or [[]]))
        table = {"steps": all_steps.astype(np.int64)}
        for name, (steps, values) in views.items():
            column = np.full(len(all_steps), np.nan)
            column[np.searchsorted(all_steps, steps)] = values
            table[name.replace(" ", "_")] = column
        return table

    def clear(self) -> None:
        self._points.clear()


class StepSeriesPlot(SeriesPlot):
    """One curve (with a dot per inspection) per named series, against the step."""

    def __init__(self, name: str, y_label: str, parent=None) -> None:
        super().__init__(name, y_label, parent=parent)
        self._series = StepSeries()
        self._curves: dict[str, pg.PlotDataItem] = {}

    def series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Series name -> (steps, values) as the inspections gave them."""
        return self._series.series()

    def export_data(self) -> dict[str, np.ndarray]:
        return self._series.table()

    def clear(self) -> None:
        """Forget every point and curve (the model was reset or replaced)."""
        self._series.clear()
        for curve in self._curves.values():
            self.removeItem(curve)  # and its legend entry
        self._curves.clear()
        self._show_hint(EMPTY_HINT)

    def _add_points(self, step: int, values: dict[str, float]) -> None:
        new = self._series.add(step, values)
        # "embedding" and "output" first: in a legend of two columns, each later row is then
        # one layer, its input and recurrent parts side by side.
        for name in sorted(new, key=lambda name: name not in ("embedding", "output")):
            self._curves[name] = self._curve(None, symbol="o")  # the legend is _update_legend's
        if new:
            self._update_legend()  # at once: new entries and curves take colours and font scale
            self._restyle()
        self._schedule_redraw()

    def _update_legend(self) -> None:
        self._show_legend(self._legend_entries())

    def _legend_entries(self) -> list[LegendEntry]:
        """A line per series, by its name."""
        return [LegendEntry(curve, name) for name, curve in self._curves.items()]

    def _redraw(self) -> None:
        for name, (steps, values) in self._series.views().items():
            curve = self._curves[name]
            # A dot per inspection while they are few; thousands of dots would cost tens of
            # milliseconds a redraw and read as a thick line anyway.
            symbol = "o" if len(steps) <= MAX_DOTS else None
            if curve.opts["symbol"] != symbol:
                curve.setSymbol(symbol)
            curve.setData(x=steps, y=log10_or_nan(values))

    def _restyle_curves(self) -> None:
        for name, curve in self._curves.items():
            colour = self._series_colour(self._colour_key(name))
            dashed = name.endswith("recurrent")  # the same layer's input part is solid
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            curve.setPen(self._pen(colour, 2.0, style))
            curve.setSymbolBrush(colour)
            curve.setSymbolPen(None)
            curve.setSymbolSize(round(6 * self._font_scale))

    def _colour_key(self, name: str) -> int | str:
        """0-based layer of "layer 2 input", "layer 2": so a layer's colour is the same in
        every plot; "embedding" and "output" have their own (a numeric task's "input layer"
        the embedding's: it has the same place in the model)."""
        words = name.split()
        if len(words) >= 2 and words[0] == "layer" and words[1].isdigit():
            return int(words[1]) - 1
        if name == "input layer":
            return "embedding"
        return name if name in ("embedding", "output") else list(self._curves).index(name)

    def hover_text(self, x: float, log_y: float) -> str | None:
        views = self._hover_series()
        nearest = None if self.hint_text() else self._nearest(views, x, log_y)
        if nearest is None:
            return None
        name, index = nearest
        steps, values = views[name]
        return self._describe(name, int(steps[index]), float(values[index]))

    def _hover_series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Name -> (steps, values) of what is drawn, for hovering."""
        return self._series.views()

    def _describe(self, name: str, step: int, value: float) -> str:
        raise NotImplementedError
