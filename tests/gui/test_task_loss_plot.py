"""The loss plot on a synthetic task: the task's loss on the y axis, the chance line instead of
the uniform guess, validation accuracy on a right axis per run (following the x axis, cleared
with the run), and back to text; in the window, the unit menu and n-gram baselines step aside."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QRectF

from rnnlab.gui.plots import X_AXES
from rnnlab.gui.plots.training_plots import LossPlot
from rnnlab.gui.training.messages import TrainingUpdate
from rnnlab.gui.window.training_bar import UNITS, TrainingBar

ADDING_CHANCE = 1.0 / 6.0
RECALL_CHANCE = math.log(8)
CHARS_PER_STEP, SECONDS_PER_STEP = 32, 0.004


@pytest.fixture
def loss_plot(shown) -> LossPlot:
    return shown(LossPlot(), 800, 400)


def _append(plot: LossPlot, run: int, losses: np.ndarray) -> np.ndarray:
    steps = np.arange(1, len(losses) + 1)
    plot.append_steps(
        steps, losses, np.zeros(len(losses), bool), chars=steps * CHARS_PER_STEP,
        seconds=steps * SECONDS_PER_STEP, run=run,
    )  # fmt: skip
    return steps


def _laid_out(qtbot, plot: LossPlot, top: float) -> None:
    """Drawn, and the view's auto range (fitted at the next paint) reaches ``top``."""
    plot.flush()
    qtbot.waitUntil(lambda: plot.viewRange()[1][1] >= top, timeout=2000)


def _label_inside_view(plot: LossPlot, line) -> bool:
    view = plot.getViewBox().sceneBoundingRect()
    label = line.label.sceneBoundingRect()
    return QRectF(view).adjusted(-1, -1, 1, 1).contains(label)


def test_a_task_shows_its_loss_and_chance_line_and_text_comes_back(qtbot, loss_plot) -> None:
    loss_plot.set_vocabulary_size(65)
    loss_plot.set_unit("bits")
    losses = np.linspace(0.2, 0.05, 50)
    _append(loss_plot, 0, losses)
    with qtbot.waitSignal(loss_plot.modeChanged) as changed:
        loss_plot.set_task("squared error", ADDING_CHANCE, False, "always answering 1")
    task = changed.args[0]
    assert task is loss_plot.task() and task.loss_name == "squared error"
    assert loss_plot.chance_line.isVisible() and not loss_plot.uniform_line.isVisible()
    assert loss_plot.chance_line.value() == pytest.approx(ADDING_CHANCE)
    assert loss_plot.chance_line.angle == 0  # horizontal
    assert loss_plot.chance_line.pen.style().name == "DashLine"
    assert loss_plot.chance_line.label.toPlainText() == "chance 0.167 (always answering 1)"
    assert loss_plot.getAxis("left").labelText == "squared error"
    # Shown as they came, not in bits: squared error has no unit to convert to.
    np.testing.assert_allclose(loss_plot.raw_curve.getData()[1], losses)
    assert not loss_plot.getAxis("right").isVisible()  # a number's answer: no accuracy
    # The window's Baselines menu re-shows the uniform guess after a unit change: not on a task.
    loss_plot.show_uniform_line(True)
    assert not loss_plot.uniform_line.isVisible()

    loss_plot.set_unit("perplexity")  # kept for text; the task's losses stay as they are
    assert loss_plot.unit() == "perplexity"
    np.testing.assert_allclose(loss_plot.raw_curve.getData()[1], losses)

    with qtbot.waitSignal(loss_plot.modeChanged) as changed:
        loss_plot.set_text()
    assert changed.args == [None] and loss_plot.task() is None
    assert not loss_plot.chance_line.isVisible() and loss_plot.uniform_line.isVisible()
    assert loss_plot.uniform_line.value() == pytest.approx(65.0)  # ln 65 nats in perplexity
    assert loss_plot.getAxis("left").labelText == "perplexity"
    np.testing.assert_allclose(loss_plot.raw_curve.getData()[1], np.exp(losses))


def test_the_chance_line_and_its_label_stay_in_view_far_above_the_loss(qtbot, loss_plot) -> None:
    loss_plot.set_task("squared error", ADDING_CHANCE, False, "always answering 1")
    _append(loss_plot, 0, np.geomspace(0.01, 1e-5, 400))  # never near chance
    _laid_out(qtbot, loss_plot, ADDING_CHANCE)
    _, (bottom, top) = loss_plot.viewRange()
    assert bottom < 1e-5 and top > ADDING_CHANCE
    # The label follows the view at its next update.
    qtbot.waitUntil(lambda: _label_inside_view(loss_plot, loss_plot.chance_line), timeout=2000)


def test_a_run_stuck_at_chance_keeps_its_name_off_the_chance_line(qtbot, loss_plot) -> None:
    loss_plot.set_task("cross-entropy", RECALL_CHANCE, True, "guessing among 8 symbols")
    loss_plot.add_run(1, "LSTM", 0)
    loss_plot.add_run(2, "RNN", 1)
    _append(loss_plot, 1, np.linspace(RECALL_CHANCE, 0.01, 300))
    _append(loss_plot, 2, np.full(300, 0.97 * RECALL_CHANCE))  # ends just under the line
    _laid_out(qtbot, loss_plot, RECALL_CHANCE)
    chance = loss_plot.chance_line
    qtbot.waitUntil(lambda: _label_inside_view(loss_plot, chance), timeout=2000)
    name = loss_plot.end_labels._labels[2]
    name_box = name.sceneBoundingRect()
    chance_box = chance.label.sceneBoundingRect()
    line_y = loss_plot.getViewBox().mapViewToScene(chance.pos()).y()
    assert not name_box.intersects(chance_box)
    assert not name_box.top() < line_y < name_box.bottom()  # not struck through


def test_accuracy_points_follow_the_x_axis_and_go_with_their_run(loss_plot) -> None:
    loss_plot.set_task("cross-entropy", RECALL_CHANCE, True, "guessing among 8 symbols")
    assert loss_plot.getAxis("right").isVisible()
    accuracies = {1: [(100, 0.25), (200, 0.75), (300, 1.0)], 2: [(100, 0.125), (200, 0.13)]}
    for run, name in ((1, "LSTM"), (2, "RNN")):
        loss_plot.add_run(run, name, run - 1)
        _append(loss_plot, run, np.linspace(RECALL_CHANCE, 0.5 * run, 300))
        for step, accuracy in accuracies[run]:
            loss_plot.add_accuracy(step, accuracy, run=run)
    loss_plot.flush()
    assert "accuracy (right axis)" in [label.text for _, label in loss_plot.legend.items]
    per_step = {"step": 1, "chars": CHARS_PER_STEP, "seconds": SECONDS_PER_STEP}
    for kind in X_AXES:
        loss_plot.set_x_axis(kind)
        for run, points in accuracies.items():
            x, y = loss_plot.accuracy.points(run)
            steps, fractions = np.array(points).T
            np.testing.assert_allclose(x, steps * per_step[kind])
            np.testing.assert_allclose(y, 100.0 * fractions)  # percent on the right axis
    loss_plot.set_x_axis("step")
    # The right axis spans 0 to 100 %, whatever the losses.
    low, high = loss_plot.accuracy.view.viewRange()[1]
    assert low <= 0.0 and 100.0 <= high < 110.0

    loss_plot.set_run_visible(2, False)
    loss_plot.flush()
    assert len(loss_plot.accuracy.points(2)[0]) == 0 and len(loss_plot.accuracy.points(1)[0]) == 3
    loss_plot.set_run_visible(2, True)
    loss_plot.clear_run(1)
    assert len(loss_plot.accuracy.points(1)[0]) == 0 and len(loss_plot.accuracy.data(1)[0]) == 0
    loss_plot.add_accuracy(100, 0.5, run=1)  # a cleared run starts again
    _append(loss_plot, 1, np.full(100, 1.0))
    loss_plot.flush()
    np.testing.assert_allclose(loss_plot.accuracy.points(1)[1], [50.0])
    loss_plot.remove_run(2)
    loss_plot.flush()
    assert len(loss_plot.accuracy.points(2)[0]) == 0 and loss_plot.accuracy.runs() == [1]


def test_no_accuracy_on_text(loss_plot) -> None:
    loss_plot.set_task("cross-entropy", RECALL_CHANCE, True)
    loss_plot.set_text()
    _append(loss_plot, 0, np.linspace(4.0, 2.0, 100))
    loss_plot.add_accuracy(100, 0.5)  # a stray message: kept, never drawn on text
    loss_plot.flush()
    assert not loss_plot.getAxis("right").isVisible()
    assert not loss_plot.accuracy.view.isVisible()
    assert len(loss_plot.accuracy.points(0)[0]) == 0
    assert "accuracy (right axis)" not in [
        label.text for _, label in loss_plot.legend.items
    ]
    assert loss_plot.chance_line.label.toPlainText().startswith("chance 2.08")


def test_the_unit_menu_shows_the_tasks_loss_disabled_and_returns(qtbot, loss_plot) -> None:
    bar = TrainingBar()
    qtbot.addWidget(bar)
    loss_plot.modeChanged.connect(bar.set_loss_task)
    units = bar.unit_combo
    units.setCurrentIndex(units.findData("bits"))
    emitted: list[str] = []
    bar.unitChanged.connect(emitted.append)
    loss_plot.set_task("cross-entropy", RECALL_CHANCE, True)
    assert not units.isEnabled() and units.currentText() == "cross-entropy (nats)"
    assert "task" in units.toolTip() and "Bits and perplexity are for text" in units.toolTip()
    loss_plot.set_text()
    assert units.isEnabled() and units.currentData() == "bits" and units.count() == len(UNITS)
    assert "nats/char" in units.toolTip()
    assert emitted == []  # the plot changed its unit by itself; nothing was chosen


def test_the_window_plots_accuracies_and_puts_baselines_aside_on_a_task(qtbot, window) -> None:
    main = window
    plot, baselines = main.loss_plot, main.baselines
    combo = main.parts.baseline_control.combo
    combo.setCurrentIndex(combo.findData("bigram"))
    baselines.build_now()
    qtbot.waitUntil(lambda: len(baselines.lines.labels()) == 2, timeout=60_000)
    plot.set_task("cross-entropy", RECALL_CHANCE, True, "guessing among 8 symbols")
    assert baselines.lines.labels() == [] and not plot.uniform_line.isVisible()
    assert not main.parts.baseline_control.isVisible()
    assert not main.training_bar.unit_combo.isEnabled()
    combo.setCurrentIndex(combo.findData("best"))  # hidden, yet chosen: still no lines
    assert baselines.lines.labels() == [] and not plot.uniform_line.isVisible()

    panel = main.model_panel
    run = main.runs.add(panel.model_config(len(main.corpus.vocabulary)), panel.train_config())
    steps = np.arange(1, 201)
    update = TrainingUpdate(
        steps=steps, losses=np.full(200, 1.5, np.float32), grad_norms=np.ones(200, np.float32),
        clipped=np.zeros(200, bool), learning_rates=np.full(200, 2e-3, np.float32),
        evaluations=((100, 1.6), (200, 1.4)), events=(), step=200, chars_per_second=0.0,
        elapsed=1.0, chars=steps * 32, seconds=steps * 0.01, run=run.run,
        accuracies=((100, 0.25), (200, 0.5)),
    )  # fmt: skip
    main.runs.take_update(update)
    plot.flush()
    np.testing.assert_array_equal(plot.accuracy.data(run.run)[0], [100, 200])
    np.testing.assert_allclose(plot.accuracy.points(run.run)[1], [25.0, 50.0])

    plot.set_text()
    assert main.parts.baseline_control.isVisible() and main.training_bar.unit_combo.isEnabled()
    qtbot.waitUntil(lambda: len(baselines.lines.labels()) == 3, timeout=60_000)
    assert plot.uniform_line.isVisible()


def test_the_accuracy_axis_stays_inside_the_widget_as_the_legend_changes(shown) -> None:
    # 1000 pixels: one run's legend needs two rows, two runs' fit in one, and the plot laid
    # out for the wider one must come back to the widget's width, its right axis with it.
    plot = shown(LossPlot(), 1000, 560)
    plot.set_task("cross-entropy", RECALL_CHANCE, True, "guessing among 8 symbols")
    for run, name in ((1, "LSTM 1×64"), (2, "RNN 1×64")):
        plot.add_run(run, name, run - 1)
        _append(plot, run, np.linspace(RECALL_CHANCE, 0.5 * run, 300))
        plot.add_accuracy(300, 0.5, run=run)
    plot.flush()
    axis = plot.getAxis("right")
    assert axis.mapRectToScene(axis.boundingRect()).right() <= plot.width() + 0.5
    assert plot.getPlotItem().geometry().width() <= plot.width() + 0.5


def test_a_run_that_blows_up_leaves_the_other_curves_readable(qtbot, loss_plot) -> None:
    loss_plot.set_task("squared error", ADDING_CHANCE, False, "always answering 1")
    loss_plot.add_run(1, "no clipping", 0)
    loss_plot.add_run(2, "clip by norm", 1)
    exploding = np.concatenate([np.geomspace(1.2, 1e32, 12), [np.inf]])
    _append(loss_plot, 1, exploding)
    _append(loss_plot, 2, np.linspace(1.2, 0.1, 300))
    _laid_out(qtbot, loss_plot, 1.0)
    _, (bottom, top) = loss_plot.viewRange()
    # The view spans the learning run (from 1.2 down to 0.1), not 1e32: drawn no higher than
    # the ceiling, the blown-up run goes off the top of it.
    assert top < 1.2 * loss_plot.ceiling() < 2.0 and bottom < 0.1
    kept = loss_plot.data(1)["losses"]
    assert kept[11] == pytest.approx(1e32) and np.isinf(kept[12])  # the data are as they came


def test_runs_ending_together_near_chance_keep_their_names_apart(qtbot, loss_plot) -> None:
    loss_plot.set_task("squared error", ADDING_CHANCE, False, "always answering 1")
    for run, name in ((1, "clip by norm"), (2, "clip by value")):
        loss_plot.add_run(run, name, run - 1)
        _append(loss_plot, run, np.linspace(1.0, ADDING_CHANCE * (1.0 + 0.01 * run), 300))
    _laid_out(qtbot, loss_plot, 1.0)
    qtbot.waitUntil(lambda: _label_inside_view(loss_plot, loss_plot.chance_line), timeout=2000)
    first, second = (loss_plot.end_labels._labels[run].sceneBoundingRect() for run in (1, 2))
    assert not first.intersects(second)


def test_names_of_runs_ending_together_do_not_stretch_a_short_plot(qtbot, shown) -> None:
    plot = shown(LossPlot(), 700, 300)  # a loss plot on a laptop in presentation mode
    plot.set_vocabulary_size(65)
    for run, name in enumerate(("RNN", "LSTM", "GRU", "SRU")):
        plot.add_run(run, name, run)
        _append(plot, run, np.linspace(4.17, 1.9 + 0.05 * run, 200))
    _laid_out(qtbot, plot, 4.0)  # the names were placed before the range was fitted
    assert len(plot.end_labels.texts()) == 4
    _, (bottom, top) = plot.viewRange()
    assert 1.5 < bottom < 1.9 and top < 5.0  # the curves' range, not the stacked names'
    view = plot.getViewBox().sceneBoundingRect()
    qtbot.waitUntil(lambda: all(view.contains(label.sceneBoundingRect())
                                for label in plot.end_labels._labels.values()),
                    timeout=2000)  # fmt: skip  # and every name inside the plot, none cut off
    names = plot.end_labels._labels
    from_top = sorted(names, key=lambda run: names[run].sceneBoundingRect().top())
    assert from_top == [3, 2, 1, 0]  # in the order of the curves' ends, the highest first
