"""Several runs on the training plots: overlays on every x axis, hidden and removed runs,
validation points and markers placed by characters and seconds, legends that name runs,
bounded buffers, and the x-axis control."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel

from rnnlab.gui.plots import X_AXES
from rnnlab.gui.plots.plot_data import debiased_moving_average
from rnnlab.gui.plots.run_series import MAX_POINTS
from rnnlab.gui.plots.training_plots import GradNormPlot, LossPlot
from rnnlab.gui.plots.x_axis_control import XAxisControl

CHARS_PER_STEP = {1: 2048, 2: 1024}  # the second run trains on half the batch
SECONDS_PER_STEP = {1: 0.02, 2: 0.005}


@pytest.fixture
def loss_plot(shown) -> LossPlot:
    return shown(LossPlot(), 800, 400)


@pytest.fixture
def grad_plot(shown) -> GradNormPlot:
    return shown(GradNormPlot(), 800, 400)


def _run_data(run: int, count: int = 200) -> dict[str, np.ndarray]:
    steps = np.arange(1, count + 1)
    return {
        "steps": steps,
        "losses": 4.0 - steps / (100.0 * run),
        "norms": np.full(count, 0.5 * run),
        "clipped": steps % 50 == 0,
        "chars": steps * CHARS_PER_STEP[run],
        "seconds": steps * SECONDS_PER_STEP[run],
    }


def _two_runs(loss_plot: LossPlot, grad_plot: GradNormPlot | None = None) -> None:
    for run, name in ((1, "lstm"), (2, "rnn")):
        data = _run_data(run)
        extra = {"chars": data["chars"], "seconds": data["seconds"], "run": run}
        loss_plot.add_run(run, name, run - 1)
        loss_plot.append_steps(data["steps"], data["losses"], data["clipped"], **extra)
        loss_plot.add_validation(100, 3.5, run=run)
        if grad_plot is not None:
            grad_plot.add_run(run, name, run - 1)
            grad_plot.append(data["steps"], data["norms"], data["clipped"], **extra)
    loss_plot.flush()
    if grad_plot is not None:
        grad_plot.flush()


def _x(run: int, kind: str) -> np.ndarray:
    data = _run_data(run)
    return data["steps"] if kind == "step" else data[kind]


def _legend_texts(plot) -> list[str]:
    return [label.text for _, label in plot.legend.items]


def test_two_runs_draw_two_sets_of_curves_on_every_x_axis(
    loss_plot: LossPlot, grad_plot: GradNormPlot
) -> None:
    _two_runs(loss_plot, grad_plot)
    assert loss_plot.run_ids() == [1, 2] and loss_plot.current_run() == 1
    other = loss_plot._runs[2].overlays
    other_norms = grad_plot._runs[2].overlays["norms"]
    for kind in X_AXES:
        for plot in (loss_plot, grad_plot):
            plot.set_x_axis(kind)
            assert plot.x_axis() == kind
        first, second = _x(1, kind), _x(2, kind)
        x, y = loss_plot.raw_curve.getData()  # the current run in full
        np.testing.assert_allclose(x, first)
        np.testing.assert_allclose(y, _run_data(1)["losses"])
        np.testing.assert_allclose(loss_plot.smoothed_curve.getData()[0], first)
        x, y = other["smoothed"].getData()  # the other run: its smoothed curve
        np.testing.assert_allclose(x, second)
        assert other["smoothed"].isVisible()
        # Validation at step 100 sits at each run's own x of step 100.
        np.testing.assert_allclose(loss_plot.validation_curve.getData()[0], [first[99]])
        np.testing.assert_allclose(other["validation"].getData()[0], [second[99]])
        np.testing.assert_allclose(grad_plot.norm_curve.getData()[0], first)
        np.testing.assert_allclose(other_norms.getData()[0], second)
        np.testing.assert_allclose(10 ** other_norms.getData()[1], 1.0)
        # Clipping markers: the current run's only.
        np.testing.assert_allclose(loss_plot.clip_markers.getData()[0], first[49::50])
    label = {"step": "step", "chars": "characters seen", "seconds": "training seconds"}
    assert loss_plot.getAxis("bottom").labelText == label["seconds"]
    with pytest.raises(ValueError):
        loss_plot.set_x_axis("minutes")


def test_making_another_run_current_swaps_full_and_overlay_curves(loss_plot: LossPlot) -> None:
    _two_runs(loss_plot)
    loss_plot.set_current_run(2)
    np.testing.assert_allclose(loss_plot.raw_curve.getData()[1], _run_data(2)["losses"])
    assert not loss_plot._runs[2].overlays["smoothed"].isVisible()
    first = loss_plot._runs[1].overlays["smoothed"]
    assert first.isVisible()
    np.testing.assert_allclose(first.getData()[0], _x(1, "step"))
    np.testing.assert_array_equal(loss_plot.data()["steps"], _x(2, "step"))
    np.testing.assert_array_equal(loss_plot.data(1)["chars"], _x(1, "chars"))
    with pytest.raises(KeyError):
        loss_plot.set_current_run(7)


def test_a_hidden_run_is_not_drawn(loss_plot: LossPlot, grad_plot: GradNormPlot) -> None:
    _two_runs(loss_plot, grad_plot)
    for plot in (loss_plot, grad_plot):
        plot.set_run_visible(2, False)
    assert not any(curve.isVisible() for curve in loss_plot._runs[2].overlays.values())
    assert not grad_plot._runs[2].overlays["norms"].isVisible()
    assert "rnn" not in _legend_texts(loss_plot) and "lstm" in _legend_texts(loss_plot)
    loss_plot.set_run_visible(1, False)  # the current run hidden too: nothing drawn
    for curve in (loss_plot.raw_curve, loss_plot.smoothed_curve, loss_plot.validation_curve):
        assert not curve.isVisible()
    assert _legend_texts(loss_plot) == []
    loss_plot.set_run_visible(2, True)
    assert loss_plot._runs[2].overlays["smoothed"].isVisible()
    np.testing.assert_allclose(loss_plot._runs[2].overlays["smoothed"].getData()[0], _x(2, "step"))


def test_remove_run_removes_its_curves_and_marker_lines(loss_plot: LossPlot) -> None:
    _two_runs(loss_plot)
    loss_plot.mark_divergence(150, "loss is NaN", run=2)
    overlays = list(loss_plot._runs[2].overlays.values())
    (divergence,) = loss_plot._runs[2].divergences
    items = loss_plot.getPlotItem().items
    assert divergence.line in items and all(curve in items for curve in overlays)
    assert divergence.line.isVisible()  # another visible run's divergence shows
    assert divergence.line.label.toPlainText() == "rnn diverged: loss is NaN"
    loss_plot.remove_run(2)
    items = loss_plot.getPlotItem().items
    assert loss_plot.run_ids() == [1]
    assert divergence.line not in items and not any(curve in items for curve in overlays)
    assert "rnn" not in " ".join(_legend_texts(loss_plot))
    loss_plot.remove_run(1)  # the current one: no current run left, nothing drawn
    assert loss_plot.current_run() is None
    x, _ = loss_plot.raw_curve.getOriginalDataset()
    assert x is None or len(x) == 0
    assert len(loss_plot.data()["steps"]) == 0


def test_markers_and_validations_follow_the_x_axis(loss_plot: LossPlot) -> None:
    _two_runs(loss_plot)
    loss_plot.add_marker(120, "lr 3e-3 → 1e-3", run=1)
    loss_plot.add_marker(60, "clip 1 → 5", run=2)  # not the current run's: not drawn
    (marker,) = loss_plot.marker_lines
    other = loss_plot._runs[2].markers[0].line
    for kind in X_AXES:
        loss_plot.set_x_axis(kind)
        assert marker.isVisible() and marker.value() == pytest.approx(_x(1, kind)[119])
        assert not other.isVisible()
    assert loss_plot.marker_labels() == ["lr 3e-3 → 1e-3"]
    loss_plot.set_current_run(2)
    assert other.isVisible() and not marker.isVisible()
    assert other.value() == pytest.approx(_x(2, "seconds")[59])


def test_steps_without_chars_or_seconds_are_left_out_on_those_axes(loss_plot: LossPlot) -> None:
    steps = np.arange(1, 101)
    loss_plot.append_steps(steps[:50], np.full(50, 3.0), np.zeros(50, bool))  # unknown
    loss_plot.append_steps(steps[50:], np.full(50, 2.0), np.zeros(50, bool),
                           chars=steps[50:] * 100, seconds=steps[50:] * 0.1)  # fmt: skip
    loss_plot.add_validation(20, 3.1)  # where characters are unknown
    loss_plot.add_validation(80, 2.1)
    loss_plot.add_validation(500, 2.0)  # ahead of the steps plotted so far
    assert loss_plot.run_ids() == [0] and loss_plot.run_name(0) == "run"  # implicit run 0
    loss_plot.set_x_axis("chars")
    np.testing.assert_allclose(loss_plot.raw_curve.getData()[0], steps[50:] * 100)
    np.testing.assert_allclose(loss_plot.validation_curve.getData()[0], [8000])
    loss_plot.set_x_axis("step")
    np.testing.assert_allclose(loss_plot.validation_curve.getData()[0], [20, 80, 500])
    data = loss_plot.data()
    assert np.isnan(data["chars"][:50]).all() and data["chars"][-1] == 10_000


def test_legends_name_the_runs(loss_plot: LossPlot, grad_plot: GradNormPlot) -> None:
    # One run: the legend names the curves, as it always did.
    loss_plot.append_steps(np.arange(1, 11), np.full(10, 3.0), np.zeros(10, bool))
    assert _legend_texts(loss_plot) == [
        "training, each step", "training, smoothed", "gradient clipped", "validation loss"
    ]  # fmt: skip
    loss_plot.clear_data()
    assert loss_plot.run_ids() == []
    _two_runs(loss_plot, grad_plot)
    texts = _legend_texts(loss_plot)
    assert texts[:2] == ["lstm", "rnn"]
    assert texts[2:] == ["gradient clipped", "validation loss"]
    assert _legend_texts(grad_plot) == ["lstm", "rnn", "gradient clipped"]
    loss_plot.rename_run(2, "vanilla <tanh>")  # typed by a user: shown as typed
    label = loss_plot.legend.items[1][1]
    assert label.text == "vanilla &lt;tanh&gt;"
    # The current run's entry is bold; each run's swatch is drawn with its pen.
    bold = [loss_plot._legend_bold(label) for _, label in loss_plot.legend.items]
    assert bold[:2] == [True, False]
    first, second = (sample.item.opts["pen"] for sample, _ in loss_plot.legend.items[:2])
    assert first.color() != second.color() and first.style() != second.style()
    # Presentation mode: larger legend text.
    before = float(loss_plot.legend.items[0][1].opts["size"].removesuffix("pt"))
    loss_plot.set_font_scale(1.6)
    assert float(loss_plot.legend.items[0][1].opts["size"].removesuffix("pt")) >= 1.5 * before


def test_colours_name_runs_only_from_the_second_run_on(loss_plot: LossPlot) -> None:
    loss_plot.append_steps(np.arange(1, 11), np.full(10, 3.0), np.zeros(10, bool))
    alone = loss_plot.smoothed_curve.opts["pen"].color().name()
    loss_plot.add_run(5, "gru", 2)
    together = loss_plot.smoothed_curve.opts["pen"].color().name()
    assert together == "#0072b2" != alone  # run 0's blue once a second run shares the plot


def test_clear_run_keeps_the_run(loss_plot: LossPlot) -> None:
    _two_runs(loss_plot)
    loss_plot.mark_divergence(30, "loss is NaN", run=1)
    loss_plot.clear_run(1)
    assert loss_plot.run_ids() == [1, 2]
    assert len(loss_plot.data(1)["steps"]) == 0 and len(loss_plot.data(1)["validation_steps"]) == 0
    assert loss_plot.divergence_lines == []
    assert len(loss_plot.data(2)["steps"]) == 200


def test_buffers_stay_bounded_over_ten_times_max_points(qtbot, loss_plot: LossPlot) -> None:
    count, batch = 10 * MAX_POINTS, MAX_POINTS // 5
    steps = np.arange(1, count + 1)
    noise = np.random.default_rng(3).normal(0, 0.1, count)
    losses = 1.6 + 2.6 * np.exp(-steps / (count / 5)) + noise
    losses[count // 80], losses[count * 2 // 3] = 7.5, 0.5  # a spike early on and the best loss
    for start in range(0, count, batch):
        part = slice(start, start + batch)
        loss_plot.append_steps(steps[part], losses[part], np.zeros(batch, bool),
                               chars=steps[part] * 2048, seconds=steps[part] * 0.01)  # fmt: skip
        assert len(loss_plot.data()["steps"]) <= MAX_POINTS
    data = loss_plot.data()
    assert data["steps"][-1] == count and data["losses"].max() == 7.5
    assert data["losses"].min() == 0.5
    # Twelve columns of at most 8 bytes, room for a sixteenth more rows.
    assert 0 < loss_plot.buffer_bytes() < 12 * 8 * MAX_POINTS * 17 // 16
    loss_plot.flush()
    assert loss_plot.raw_curve.getOriginalDataset()[0][-1] == count
    # Smoothing again on thinned points stays close to smoothing every step.
    loss_plot.set_smoothing(0.9)
    exact, *_ = debiased_moving_average(losses, 0.9, 0.0, 0)
    data = loss_plot.data()
    assert np.median(abs(data["smoothed"] - exact[data["steps"] - 1])) < 0.03
    loss_plot.set_smoothing(0.0)  # the raw loss: the stored points themselves
    np.testing.assert_array_equal(loss_plot.data()["smoothed"], data["losses"])


def test_x_axis_control_offers_the_three_axes(qtbot) -> None:
    control = XAxisControl()
    qtbot.addWidget(control)
    combo = control.findChild(QComboBox, "xAxisCombo")
    assert [combo.itemText(index) for index in range(combo.count())] == [
        "step", "characters seen", "training seconds"
    ]  # fmt: skip
    tips = [combo.itemData(index, Qt.ItemDataRole.ToolTipRole) for index in range(3)]
    assert all(tips) and "pauses" in tips[2]
    label = control.findChild(QLabel)
    assert label.buddy() is combo and "&a" in label.text()  # Alt+A reaches it
    with qtbot.waitSignal(control.xAxisChanged) as signal:
        combo.setCurrentIndex(1)
    assert signal.args == ["chars"] and control.x_axis() == "chars"
    control.set_x_axis("seconds")
    assert combo.currentIndex() == 2 and "pauses" in combo.toolTip()
    with pytest.raises(ValueError):
        control.set_x_axis("minutes")


def test_the_legend_of_four_runs_fits_below_the_plot(qtbot, shown) -> None:
    """At the window's narrowest plot width and at presentation scale on a 1920-pixel screen."""
    plot = shown(LossPlot(), 560, 420)
    for run, name in enumerate(("RNN (tanh)", "LSTM", "GRU", "SRU")):
        steps = np.arange(1, 11)
        plot.add_run(run, name, run)
        plot.append_steps(steps, np.full(10, 3.0 - run / 10), np.zeros(10, bool), run=run)
    for scale, width in ((1.0, 560), (1.6, 930)):
        plot.set_font_scale(scale)
        plot.resize(width, 420)
        QApplication.processEvents()
        legend, view = plot.legend.sceneBoundingRect(), plot.getViewBox().sceneBoundingRect()
        # Never wider than the plot (it would push the curves off screen), never over them.
        assert legend.left() >= 0 and legend.right() <= width
        assert legend.top() >= view.bottom() and view.height() > 150
    plot.resize(1600, 420)
    qtbot.waitUntil(lambda: plot.legend.columnCount > 2)  # room: fewer rows


def test_each_run_is_named_at_the_end_of_its_curve(loss_plot: LossPlot) -> None:
    loss_plot.add_run(1, "lstm", 0)
    loss_plot.append_steps(np.arange(1, 11), np.linspace(4, 3, 10), np.zeros(10, bool), run=1)
    loss_plot.flush()
    assert loss_plot.end_labels.texts() == {}  # one run: the legend says it all
    loss_plot.clear_run(1)
    _two_runs(loss_plot)
    assert loss_plot.end_labels.texts() == {1: "lstm", 2: "rnn"}
    label = loss_plot.end_labels._labels[2]
    assert label.pos().x() == pytest.approx(200)  # the other run's last step
    loss_plot.set_run_visible(2, False)
    loss_plot.flush()
    assert loss_plot.end_labels.texts() == {1: "lstm"}
    loss_plot.set_x_axis("seconds")
    loss_plot.flush()
    assert loss_plot.end_labels._labels[1].pos().x() == pytest.approx(_x(1, "seconds")[-1])


def test_run_names_at_curve_ends_grow_with_presentation_mode(loss_plot: LossPlot) -> None:
    _two_runs(loss_plot)
    before = loss_plot.end_labels._labels[1].textItem.font().pointSizeF()
    loss_plot.set_font_scale(1.6)  # no new data: the names must still follow at once
    after = loss_plot.end_labels._labels[1].textItem.font().pointSizeF()
    assert after == pytest.approx(before * 1.6, rel=0.05)
