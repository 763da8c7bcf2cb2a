"""Time the training plots with a million points, or save screenshots of them to look at.

    rnnlab bench plots                        # timings, 1,000,000 points
    rnnlab bench plots --points 200000
    rnnlab bench plots --screenshots /tmp     # plots_{light,dark,presentation}.png

Runs without a display (offscreen) unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

# Chosen before Qt loads: the platform plugin cannot change once the application exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from rnnlab.gui.plots.training_plots import GradNormPlot, LossPlot

CLIP_THRESHOLD = 1.0


def synthetic_run(steps: int, seed: int = 0) -> dict[str, np.ndarray]:
    """A plausible run: loss decaying from about 4.2 to 1.6 nats, noisy grad norms, clipping."""
    generator = np.random.default_rng(seed)
    step = np.arange(1, steps + 1, dtype=np.int64)
    progress = step / steps
    trend = 1.6 + 2.6 * np.exp(-6.0 * progress)
    losses = trend + generator.normal(0.0, 0.09, steps) * (0.6 + trend / 4.2)
    grad_norms = (0.45 + 2.5 * np.exp(-8.0 * progress)) * generator.lognormal(0.0, 0.3, steps)
    return {
        "steps": step,
        "losses": losses,
        "trend": trend,
        "grad_norms": grad_norms,
        "clipped": grad_norms > CLIP_THRESHOLD,
    }


def _fill(loss_plot: LossPlot, grad_plot: GradNormPlot, run: dict, batch: int) -> None:
    for start in range(0, len(run["steps"]), batch):
        part = slice(start, start + batch)
        loss_plot.append_steps(run["steps"][part], run["losses"][part], run["clipped"][part])
        grad_plot.append(run["steps"][part], run["grad_norms"][part], run["clipped"][part])


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def benchmark(points: int, repeats: int = 9) -> None:
    app = QApplication.instance() or QApplication([])
    loss_plot, grad_plot = LossPlot(), GradNormPlot()
    grad_plot.set_threshold("norm", CLIP_THRESHOLD)
    loss_plot.set_vocabulary_size(65)
    for plot in (loss_plot, grad_plot):
        plot.resize(1200, 500)
        plot.show()
    app.processEvents()
    run = synthetic_run(points)
    start = time.perf_counter()
    _fill(loss_plot, grad_plot, run, batch=1000)
    fill_s = time.perf_counter() - start
    print(f"{points:,} points, {int(run['clipped'].sum()):,} clipped, widgets 1200 x 500 px")
    print(f"append in batches of 1,000 (both plots, no drawing): {fill_s:.2f} s")
    for plot in (loss_plot, grad_plot):
        print(f"{type(plot).__name__}: point buffers {plot.buffer_bytes() / 1e6:.1f} MB")
    for plot in (loss_plot, grad_plot):
        name = type(plot).__name__
        plot.flush()
        start = time.perf_counter()
        plot.grab()
        print(f"{name}: first paint after loading everything: {time.perf_counter() - start:.3f} s")
        # Alternate between a zoomed-in window and the whole run, as a student scrolling would.
        windows = [(points * 0.4, points * 0.6), (1, points)]
        counter = iter(range(10**6))

        def zoom_and_paint(plot=plot, windows=windows, counter=counter) -> None:
            plot.setXRange(*windows[next(counter) % 2], padding=0)
            plot.grab()

        print(f"{name}: zoom + repaint, median: {_median_ms(zoom_and_paint, repeats):.1f} ms")
        plot.getPlotItem().enableAutoRange()
        plot.grab()
        print(f"{name}: repaint, median: {_median_ms(plot.grab, repeats):.1f} ms")
        next_step = [points + 1]

        def append_and_redraw(plot=plot, next_step=next_step) -> None:
            steps = np.arange(next_step[0], next_step[0] + 30)
            next_step[0] += 30
            values = np.full(30, 1.6) if plot is loss_plot else np.full(30, 0.5)
            clipped = np.zeros(30, dtype=bool)
            if plot is loss_plot:
                plot.append_steps(steps, values, clipped)
            else:
                plot.append(steps, values, clipped)
            plot.flush()
            plot.grab()

        print(
            f"{name}: append 30 points + redraw + repaint, median: "
            f"{_median_ms(append_and_redraw, repeats):.1f} ms"
        )


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#17181a"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#2d2e31"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def save_screenshots(folder: Path) -> list[Path]:
    """Both plots on 3,000 realistic steps: light, dark, and dark at presentation scale 1.5."""
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    light = QPalette(app.palette())
    window = QWidget()
    layout = QVBoxLayout(window)
    loss_plot, grad_plot = LossPlot(), GradNormPlot()
    layout.addWidget(loss_plot)
    layout.addWidget(grad_plot)
    run = synthetic_run(3000, seed=1)
    _fill(loss_plot, grad_plot, run, batch=25)
    for step in range(200, 3001, 200):  # 15 validations, a little above the training trend
        loss_plot.add_validation(step, float(run["trend"][step - 1] + 0.04 + 0.05 * step / 3000))
    loss_plot.add_marker(1200, "lr 3e-3 → 1e-3")
    loss_plot.add_marker(2200, "lr 1e-3 → 3e-4")
    loss_plot.set_vocabulary_size(65)
    grad_plot.set_threshold("norm", CLIP_THRESHOLD)
    saved = []
    for name, palette, scale, size in (
        ("light", light, 1.0, (1100, 850)),
        ("dark", _dark_palette(), 1.0, (1100, 850)),
        ("presentation", light, 1.5, (1280, 960)),
    ):
        app.setPalette(palette)
        for plot in (loss_plot, grad_plot):
            plot.set_font_scale(scale)
        window.resize(*size)
        window.show()
        for plot in (loss_plot, grad_plot):
            plot.flush()
            plot.getPlotItem().enableAutoRange()
        app.processEvents()
        path = folder / f"plots_{name}.png"
        window.grab().save(str(path))
        saved.append(path)
    window.close()
    return saved


def run(points: int, screenshots: Path | None) -> int:
    """Time the redraws (or save screenshots) and print; the exit status (0)."""
    if screenshots:
        for path in save_screenshots(screenshots):
            print(path)
    else:
        benchmark(points)
    return 0
