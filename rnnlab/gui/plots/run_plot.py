"""What the loss and gradient-norm plots share to draw several runs at once: the runs by id, the
current one (drawn in full), hidden ones (not drawn), the x axis (step, characters seen or
training seconds), marker lines per run, and a legend that names the runs.

A plot that has only ever seen one run looks as it did before runs existed: its curves keep
their role colours and its legend names the curves. From the second run on, colours name runs
(``run_styles``) and the legend gets one entry per visible run.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from rnnlab.gui.plots.plot_base import StepPlot
from rnnlab.gui.plots.plotted_run import PlottedRun, RunLine, fill_legend
from rnnlab.gui.plots.run_series import TASK_X_AXIS_LABELS, X_AXES, X_AXIS_LABELS, RunSeries
from rnnlab.gui.plots.run_styles import run_colour, run_pen_style
from rnnlab.gui.widgets.style import faded, is_dark


class RunPlot(StepPlot):
    """A StepPlot of runs. Subclasses implement the hooks at the end: a run's buffers and
    overlay curves, how the current run and the others are drawn, the current run's legend."""

    def __init__(self, name: str, title: str, y_label: str, **options) -> None:
        super().__init__(name, title, y_label, **options)
        self._runs: dict[int, PlottedRun] = {}
        self._current: int | None = None
        self._x_axis = "step"
        self._counting_answers = False  # on a task "chars" counts sequences answered
        self._stale_runs: set[int] = set()  # runs whose curves need new data
        self._clip_cache: tuple[tuple, tuple[np.ndarray, np.ndarray]] | None = None
        self._bold_labels: list = []  # the legend label of the current run, with several

    # ---- runs --------------------------------------------------------------------------------

    def add_run(self, run: int, name: str, index: int) -> None:
        """Register run ``run`` (or rename and recolour it); ``index`` chooses its colour and
        dash pattern. The first run registered becomes the current one."""
        if run in self._runs:
            self._runs[run].name, self._runs[run].index = name, index
        else:
            self._runs[run] = PlottedRun(name, index, self._new_series())
            self._runs[run].overlays = self._new_overlays()
            if self._current is None:
                self._current = run
        self._runs_changed(run)

    def rename_run(self, run: int, name: str) -> None:
        self._known(run).name = name
        self._runs_changed()

    def set_run_visible(self, run: int, visible: bool) -> None:
        self._known(run).visible = bool(visible)
        self._runs_changed(run)

    def remove_run(self, run: int) -> None:
        """Forget the run: its points, curves and marker lines. If it was current, the first
        remaining run becomes current."""
        self._known(run)
        removed = self._runs.pop(run)
        self._forget_extras(run)
        for curve in removed.overlays.values():
            self.removeItem(curve)
        for line in removed.lines():
            self._remove_line(line.line)
        if self._current == run:
            self._current = next(iter(self._runs), None)
            self._stale_runs.update(self._runs)
        self._runs_changed()

    def set_current_run(self, run: int) -> None:
        """Draw this run in full (the others: their main curve only)."""
        self._known(run)
        previous, self._current = self._current, run
        self._stale_runs.update({run} | ({previous} if previous in self._runs else set()))
        self._runs_changed()

    def current_run(self) -> int | None:
        return self._current

    def run_ids(self) -> list[int]:
        return list(self._runs)

    def run_name(self, run: int) -> str:
        return self._known(run).name

    def clear_run(self, run: int) -> None:
        """Forget the run's points, validations and marker lines; it stays registered."""
        entry = self._known(run)
        entry.series.clear()
        for line in entry.lines():
            self._remove_line(line.line)
        entry.markers.clear()
        entry.divergences.clear()
        self._forget_extras(run)
        self._stale_runs.add(run)
        self._schedule_redraw()
        self.flush()

    def clear_data(self) -> None:
        """Forget every run, with its points, validations and marker lines: the plot is as new
        (its unit, smoothing, x axis and font scale stay). A later append to run 0 (or any run)
        registers it again, as the first append did."""
        for run in list(self._runs):
            self.remove_run(run)
        self._schedule_redraw()
        self.flush()

    def buffer_bytes(self) -> int:
        """Bytes held by the point buffers of every run (capacity included)."""
        return sum(entry.series.nbytes() for entry in self._runs.values()) + sum(
            self._extra_bytes(run) for run in self._runs
        )

    # ---- x axis ------------------------------------------------------------------------------

    def set_x_axis(self, kind: str) -> None:
        """Plot against "step", "chars" (characters seen) or "seconds" (training seconds)."""
        if kind not in X_AXES:
            raise ValueError(f"unknown x axis {kind!r}; expected one of {', '.join(X_AXES)}")
        if kind == self._x_axis:
            return
        self._x_axis = kind
        self._x_label = self._x_labels()[kind]
        self._clip_cache = None
        self._stale_runs.update(self._runs)
        self._restyle()
        self.enableAutoRange(axis="x")  # the old range counts something else
        self._schedule_redraw()
        self.flush()

    def set_counting_answers(self, on: bool) -> None:
        """On a task the "chars" axis counts sequences answered, and says so."""
        self._counting_answers = on
        self._x_label = self._x_labels()[self._x_axis]
        self._restyle()

    def _x_labels(self) -> dict[str, str]:
        return TASK_X_AXIS_LABELS if self._counting_answers else X_AXIS_LABELS

    def x_axis(self) -> str:
        return self._x_axis

    # ---- for subclasses ----------------------------------------------------------------------

    def _run(self, run: int) -> PlottedRun:
        """The run, registered on first use: callers that know nothing of runs use run 0."""
        if run not in self._runs:
            self.add_run(run, "run" if run == 0 else f"run {run}", max(run, 0))
        return self._runs[run]

    def _known(self, run: int) -> PlottedRun:
        if run not in self._runs:
            raise KeyError(f"no run {run}; the plot has runs {self.run_ids()}")
        return self._runs[run]

    def _current_entry(self) -> PlottedRun | None:
        return self._runs.get(self._current) if self._current is not None else None

    def _several(self) -> bool:
        """Whether colours name runs: from the second registered run on."""
        return len(self._runs) > 1

    def _run_data_changed(self, run: int) -> None:
        self._stale_runs.add(run)
        self._schedule_redraw()

    def _xy(self, series: RunSeries, column: str) -> tuple[np.ndarray, np.ndarray]:
        return series.xy(self._x_axis, column)

    def _add_run_line(self, run: int, step: int, text: str, divergence: bool = False) -> None:
        """A setting change (``divergence`` False) or a divergence of the run at ``step``."""
        entry = self._run(run)
        role, style = ("diverged", Qt.PenStyle.SolidLine) if divergence else (
            "marker", Qt.PenStyle.DashDotLine
        )  # fmt: skip
        line = RunLine(int(step), text, self._add_line(step, text, role, style))
        (entry.divergences if divergence else entry.markers).append(line)
        entry.label_divergences(self._several())
        entry.place_lines(self._x_axis, run == self._current)

    def _place_run_lines(self) -> None:
        for run, entry in self._runs.items():
            entry.place_lines(self._x_axis, run == self._current)

    def _redraw(self) -> None:
        current = self._current_entry()
        for run in self._stale_runs & set(self._runs):
            entry = self._runs[run]
            overlay_shown = entry.visible and run != self._current
            for curve in entry.overlays.values():
                curve.setVisible(overlay_shown)
            if overlay_shown:
                self._draw_overlay(run, entry)
        if current is None or (current.visible and self._current in self._stale_runs):
            self._draw_current(self._current, current)
        self._set_current_visible(current is not None and current.visible)
        self._stale_runs.clear()
        self._fit_x_range()
        self._place_run_lines()
        self._place_clip_markers()
        self._after_redraw()

    def _after_redraw(self) -> None:
        """What a subclass draws once the curves are in (the loss plot: names at their ends)."""

    def _fit_x_range(self) -> None:
        """Bring a view far wider than the data (another x axis, a long run removed) to the data
        at once: downsampling for that width would leave no point to fit the auto range to."""
        view, extent = self.getViewBox(), self._x_extent()
        if extent is None or not view.autoRangeEnabled()[0]:
            return
        (left, right), _ = view.viewRange()
        if right - left > 4 * max(extent[1] - extent[0], 1e-9):
            view.setXRange(*extent, padding=0.02)
            view.enableAutoRange(axis=view.XAxis)  # setXRange turned it off

    def _runs_changed(self, run: int | None = None) -> None:
        """After a run was added, renamed, hidden, shown, removed or made current."""
        self._stale_runs.update(self._runs if run is None else {run})
        if self._current is not None:
            self._stale_runs.add(self._current)
        self._clip_cache = None
        for entry in self._runs.values():  # a second run: divergences say whose they are
            entry.label_divergences(self._several())
        if not self._alive():
            return
        self._restyle()  # colours: a second run turns role colours into run colours
        self._schedule_redraw()
        self.flush()

    def _run_pen(self, entry: PlottedRun, width: float, strength: float = 1.0):
        return self._pen(self._run_colour(entry, strength), width, run_pen_style(entry.index))

    def _run_colour(self, entry: PlottedRun, strength: float = 1.0) -> QColor:
        background = self._palette_colour(QPalette.ColorRole.Base)
        return faded(run_colour(entry.index, is_dark(self)), background, strength)

    def _swatch_pen(self, entry: PlottedRun):
        """The pen of the run's legend swatch: as its curves are drawn."""
        return self._run_pen(entry, 3.0)

    def _style_line(self, line: pg.InfiniteLine, role: str, style: Qt.PenStyle) -> None:
        # With several runs colours name runs: a green setting marker or an orange threshold
        # would read as the green or orange run's. Divergence keeps its red: its label names
        # the run.
        if self._several() and role in ("marker", "threshold"):
            role = "text"
        super()._style_line(line, role, style)

    def _restyle_markers(self, markers: pg.PlotDataItem) -> None:
        super()._restyle_markers(markers)
        if self._several():  # purple markers would read as the purple run's
            markers.setSymbolBrush(self._colour("text", 0.8))

    def _rebuild_legend(self) -> None:
        """The legend's entries from scratch: with several runs one per visible run, the
        current one in bold; then the subclass's entries for the current run."""
        several, current = self._several(), self._current_entry()
        shown = [(run, entry) for run, entry in self._runs.items() if several and entry.visible]
        entries: list[tuple[pg.PlotDataItem, str, float | None]] = []
        for _, entry in shown:
            entry.swatch.setPen(self._swatch_pen(entry))
            # 12 pen widths: a whole period of every dash pattern (dash-dot-dot is the longest).
            entries.append((entry.swatch, entry.name, 36 * self._font_scale))
        if current is not None and current.visible:
            extras = self._current_legend_entries(current, several)
            entries += [(item, text, None) for item, text in extras]
        labels = fill_legend(self.legend, entries)
        self._bold_labels = [
            label for label, (run, _) in zip(labels, shown) if run == self._current
        ]

    def _legend_bold(self, label: pg.LabelItem) -> bool:
        return any(label is bold for bold in self._bold_labels)

    def _restyle(self) -> None:
        if hasattr(self, "_runs"):
            self._rebuild_legend()
        super()._restyle()

    def _clip_events(self) -> tuple[np.ndarray, np.ndarray]:
        """The current run's clipped steps at their x (sorted) and shown value."""
        current = self._current_entry()
        if current is None or not current.visible:
            return np.empty(0), np.empty(0)
        series = current.series
        column = self._clip_value_column()
        key = (self._current, series.version, self._x_axis, column)
        if self._clip_cache is None or self._clip_cache[0] != key:  # else on every pan and zoom
            clipped = np.flatnonzero(series.column("clipped"))
            self._clip_cache = (key, series.xy(self._x_axis, column, clipped))
        return self._clip_cache[1]

    def _x_extent(self) -> tuple[float, float] | None:
        """The smallest and largest x of the visible runs, or None without points."""
        extents = [entry.series.x_extent(self._x_axis) for entry in self._runs.values()
                   if entry.visible]  # fmt: skip
        ends = [end for extent in extents if extent is not None for end in extent]
        return (min(ends), max(ends)) if ends else None

    # ---- hooks: what each plot draws (every one is implemented by both plots) -----------------

    def _new_series(self) -> RunSeries: ...  # a run's empty buffers
    def _new_overlays(self) -> dict[str, pg.PlotDataItem]: ...  # curves while not current
    def _draw_current(self, run: int | None, entry: PlottedRun | None) -> None: ...
    def _draw_overlay(self, run: int, entry: PlottedRun) -> None: ...
    def _set_current_visible(self, visible: bool) -> None: ...
    def _clip_value_column(self) -> str: ...  # the y of the clipping markers

    def _current_legend_entries(
        self, entry: PlottedRun, several: bool
    ) -> list[tuple[pg.PlotDataItem, str]]:
        """The legend's entries for what only the current run shows."""
        return []

    def _forget_extras(self, run: int) -> None:
        """Forget what a subclass keeps of the run besides its series (validations)."""

    def _extra_bytes(self, run: int) -> int:
        return 0
