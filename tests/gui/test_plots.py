"""The training plots: buffered redraws, units, markers, clipping, font scale, many points."""

import math

import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from rnnlab.gui.plots.run_series import MAX_POINTS
from rnnlab.gui.plots.training_plots import (
    GradNormPlot,
    GrowingArray,
    LossPlot,
    debiased_moving_average,
)


@pytest.fixture
def loss_plot(shown) -> LossPlot:
    return shown(LossPlot(), 800, 400)


@pytest.fixture
def grad_plot(shown) -> GradNormPlot:
    return shown(GradNormPlot(), 800, 400)


def _curve_length(curve) -> int:
    """Points on screen (after downsampling), 0 before the first redraw."""
    x, _ = curve.getData()
    return 0 if x is None else len(x)


def _stored_length(curve) -> int:
    x, _ = curve.getOriginalDataset()
    return 0 if x is None else len(x)


def test_growing_array_keeps_earlier_views_through_growth() -> None:
    array = GrowingArray(np.int64, capacity=2)
    array.append(np.array([1, 2]))
    early = array.view()
    for start in range(3, 100, 7):
        array.append(np.arange(start, start + 7))
    np.testing.assert_array_equal(early, [1, 2])
    np.testing.assert_array_equal(array.view(), np.arange(1, 101))


def test_moving_average_is_debiased_and_continues_across_batches() -> None:
    constant, _, _ = debiased_moving_average(np.full(5, 3.0), 0.98, 0.0, 0)
    np.testing.assert_allclose(constant, 3.0)  # not pulled towards 0 at the start
    values = np.random.default_rng(0).normal(2.0, 0.5, 1000)
    whole, *_ = debiased_moving_average(values, 0.98, 0.0, 0)
    first, *state = debiased_moving_average(values[:333], 0.98, 0.0, 0)
    second, *_ = debiased_moving_average(values[333:], 0.98, *state)
    np.testing.assert_allclose(np.concatenate([first, second]), whole)
    with_nan, *_ = debiased_moving_average(np.array([2.0, np.nan, 2.0]), 0.9, 0.0, 0)
    np.testing.assert_allclose(with_nan, 2.0)  # a diverged step does not poison the average


def test_batches_are_buffered_then_drawn_in_order(qtbot, loss_plot: LossPlot) -> None:
    steps = np.arange(1, 301)
    losses = 4.0 - steps / 100.0
    batches = np.array_split(np.arange(300), 7)
    loss_plot.append_steps(steps[batches[0]], losses[batches[0]], np.zeros(len(batches[0])))
    assert _curve_length(loss_plot.raw_curve) == 0  # drawn by the timer, not per batch
    for batch in batches[1:]:
        loss_plot.append_steps(steps[batch], losses[batch], np.zeros(len(batch), dtype=bool))
    qtbot.waitUntil(lambda: _curve_length(loss_plot.raw_curve) == 300, timeout=2000)
    x, y = loss_plot.raw_curve.getData()
    np.testing.assert_array_equal(x, steps)
    np.testing.assert_allclose(y, losses)
    assert _curve_length(loss_plot.smoothed_curve) == 300
    data = loss_plot.data()
    np.testing.assert_array_equal(data["steps"], steps)
    assert data["smoothed"][0] == pytest.approx(losses[0])


def test_unit_switch_converts_curves_validation_and_uniform_line(loss_plot: LossPlot) -> None:
    losses = np.array([math.log(65), 2.0, 1.0])
    loss_plot.set_vocabulary_size(65)
    loss_plot.append_steps(np.array([1, 2, 3]), losses, np.array([False, True, False]))
    loss_plot.add_validation(3, 1.5)
    expected = {
        "bits": (losses / math.log(2), 1.5 / math.log(2), math.log2(65), "bits/char"),
        "perplexity": (np.exp(losses), math.exp(1.5), 65.0, "perplexity"),
        "nats": (losses, 1.5, math.log(65), "nats/char"),
    }
    for unit, (curve, validation, uniform, label) in expected.items():
        loss_plot.set_unit(unit)
        assert loss_plot.unit() == unit
        np.testing.assert_allclose(loss_plot.raw_curve.getData()[1], curve)
        np.testing.assert_allclose(loss_plot.clip_markers.getData()[1], [curve[1]])
        np.testing.assert_allclose(loss_plot.validation_curve.getData()[1], [validation])
        assert loss_plot.uniform_line.value() == pytest.approx(uniform)
        assert loss_plot.uniform_line.isVisible()
        assert label in loss_plot.getAxis("left").labelText
    np.testing.assert_allclose(loss_plot.data()["losses"], losses)  # stored in nats throughout
    with pytest.raises(ValueError):
        loss_plot.set_unit("furlongs")


def test_markers_and_divergence_lines(loss_plot: LossPlot) -> None:
    loss_plot.add_marker(100, "lr 3e-3 → 1e-3")
    loss_plot.mark_divergence(250, "loss is NaN")
    items = loss_plot.getPlotItem().items
    (marker,) = loss_plot.marker_lines
    (divergence,) = loss_plot.divergence_lines
    assert marker in items and divergence in items
    assert (marker.angle, marker.value()) == (90, 100)
    assert loss_plot.marker_labels() == ["lr 3e-3 → 1e-3"]
    assert (divergence.angle, divergence.value()) == (90, 250)
    assert "diverged" in divergence.label.toPlainText()
    colour = divergence.pen.color()
    assert colour.red() > 2 * max(colour.green(), colour.blue())  # red
    loss_plot.clear_data()
    assert loss_plot.marker_lines == [] and loss_plot.divergence_lines == []
    assert marker not in loss_plot.getPlotItem().items


def test_clip_markers_only_at_clipped_steps(
    qtbot, loss_plot: LossPlot, grad_plot: GradNormPlot
) -> None:
    steps = np.arange(1, 61)
    losses = np.linspace(4.0, 2.0, 60)
    norms = np.linspace(3.0, 0.5, 60)
    clipped = steps % 4 == 0
    for part in (slice(0, 25), slice(25, 60)):
        loss_plot.append_steps(steps[part], losses[part], clipped[part])
        grad_plot.append(steps[part], norms[part], clipped[part])
    qtbot.waitUntil(lambda: _curve_length(grad_plot.clip_markers) == clipped.sum(), timeout=2000)
    qtbot.waitUntil(lambda: _curve_length(loss_plot.clip_markers) == clipped.sum(), timeout=2000)
    x, y = loss_plot.clip_markers.getData()
    np.testing.assert_array_equal(x, steps[clipped])
    np.testing.assert_allclose(y, losses[clipped])
    x, y = grad_plot.clip_markers.getData()
    np.testing.assert_array_equal(x, steps[clipped])
    np.testing.assert_allclose(10**y, norms[clipped])  # the view's y is log10 of the norm
    np.testing.assert_array_equal(grad_plot.data()["clipped"], clipped)


def test_threshold_line_follows_clipping_mode(grad_plot: GradNormPlot) -> None:
    grad_plot.set_threshold("norm", 5.0)
    line = grad_plot.threshold_line
    assert line.isVisible() and line in grad_plot.getPlotItem().items
    # The y axis is logarithmic, so the line sits at log10 of the threshold.
    assert 10 ** line.value() == pytest.approx(5.0)
    assert "clip threshold" in line.label.toPlainText()
    grad_plot.set_threshold("value", 0.5)
    assert not line.isVisible()
    assert "clipping each element at ±0.5" in grad_plot.getPlotItem().titleLabel.text
    grad_plot.set_threshold("none", 5.0)
    assert not line.isVisible()
    assert "±" not in grad_plot.getPlotItem().titleLabel.text


def test_clear_data_empties_both_plots(loss_plot: LossPlot, grad_plot: GradNormPlot) -> None:
    steps, values, clipped = np.arange(1, 11), np.linspace(3.0, 2.0, 10), np.ones(10, bool)
    loss_plot.append_steps(steps, values, clipped)
    loss_plot.add_validation(10, 2.2)
    grad_plot.append(steps, values, clipped)
    for plot in (loss_plot, grad_plot):
        plot.flush()
        plot.clear_data()
    for curve in (
        loss_plot.raw_curve, loss_plot.smoothed_curve, loss_plot.clip_markers,
        loss_plot.validation_curve, grad_plot.norm_curve, grad_plot.clip_markers,
    ):  # fmt: skip
        assert _curve_length(curve) == 0
    assert all(len(values) == 0 for values in loss_plot.data().values())
    assert all(len(values) == 0 for values in grad_plot.data().values())
    loss_plot.append_steps(steps[:1], values[:1], clipped[:1])  # smoothing starts afresh
    assert loss_plot.data()["smoothed"][0] == pytest.approx(values[0])


def test_font_scale_enlarges_ticks_labels_and_markers(
    loss_plot: LossPlot, grad_plot: GradNormPlot
) -> None:
    default_size = QApplication.font().pointSizeF()
    loss_plot.add_marker(10, "lr 3e-3 → 1e-3")
    for plot in (loss_plot, grad_plot):
        before = plot.getAxis("left").style["tickFont"].pointSizeF()
        plot.set_font_scale(1.5)
        for axis in ("left", "bottom"):
            after = plot.getAxis(axis).style["tickFont"].pointSizeF()
            assert after >= 1.5 * before - 1e-6
            assert after >= 1.5 * default_size
        assert plot.font_scale() == 1.5
    # Presentation mode may also enlarge the application font: the plots must not scale twice.
    scaled = loss_plot.getAxis("left").style["tickFont"].pointSizeF()
    font = QApplication.font()
    font.setPointSizeF(default_size * 1.5)
    loss_plot.setFont(font)
    loss_plot.set_font_scale(1.5)
    assert loss_plot.getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(scaled)
    marker_font = loss_plot.marker_lines[0].label.textItem.font()
    assert marker_font.pointSizeF() >= 1.5 * default_size


def test_follows_a_dark_palette(loss_plot: LossPlot) -> None:
    light_pen = loss_plot.smoothed_curve.opts["pen"].color()
    palette = QPalette(loss_plot.palette())
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        palette.setColor(role, QColor("#141414"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    loss_plot.setPalette(palette)
    dark_pen = loss_plot.smoothed_curve.opts["pen"].color()
    assert dark_pen.lightness() > light_pen.lightness()  # bright curve on a dark background
    assert loss_plot.backgroundBrush().color().lightness() < 40


def test_two_hundred_thousand_points_still_render(
    qtbot, loss_plot: LossPlot, grad_plot: GradNormPlot
) -> None:
    count = 200_000
    steps = np.arange(1, count + 1)
    rng = np.random.default_rng(1)
    losses = 1.6 + 2.6 * np.exp(-steps / 30_000) + rng.normal(0, 0.1, count)
    norms = rng.lognormal(0.0, 0.4, count)
    for part in np.array_split(np.arange(count), 4):
        loss_plot.append_steps(steps[part], losses[part], norms[part] > 2.0)
        grad_plot.append(steps[part], norms[part], norms[part] > 2.0)
    # Old points are thinned past MAX_POINTS; every stored one is drawn, the last step too.
    for plot, curve in ((loss_plot, loss_plot.raw_curve), (grad_plot, grad_plot.norm_curve)):
        stored = len(plot.data()["steps"])
        assert MAX_POINTS // 2 < stored <= MAX_POINTS
        qtbot.waitUntil(lambda curve=curve, stored=stored: _stored_length(curve) == stored)
        assert curve.getOriginalDataset()[0][-1] == count
    for plot in (loss_plot, grad_plot):
        pixmap = plot.grab()
        assert not pixmap.isNull() and pixmap.width() > 0
    # Downsampled for display: far fewer points drawn than stored.
    assert _curve_length(loss_plot.raw_curve) < count / 10
    # Thousands of clipping events are binned to a few hundred markers, each at a clipped step
    # or, where old points were thinned, within the thinned block of one.
    clipped_steps = steps[norms > 2.0]
    for plot in (loss_plot, grad_plot):
        marker_steps, _ = plot.clip_markers.getData()
        assert 10 < len(marker_steps) <= plot.width() and len(clipped_steps) > 5000
        nearest = np.searchsorted(clipped_steps, marker_steps).clip(0, len(clipped_steps) - 1)
        gaps = np.minimum(
            abs(clipped_steps[nearest] - marker_steps),
            abs(clipped_steps[np.maximum(nearest - 1, 0)] - marker_steps),
        )
        block = 2 * max(entry.series.stride for entry in plot._runs.values())
        assert gaps.max() < block <= 2 * count / MAX_POINTS * 2


def test_closing_with_a_redraw_pending_is_safe(qtbot) -> None:
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.show()
    plot.append_steps(np.arange(1, 11), np.linspace(3.0, 2.0, 10), np.ones(10, dtype=bool))
    plot.close()  # the legend's text items go with the scene: nothing may touch them after
    plot.resize(500, 300)
    plot.flush()
    assert plot.data()["steps"].tolist() == list(range(1, 11))


def test_tick_labels_are_plain_numbers(loss_plot: LossPlot, grad_plot: GradNormPlot) -> None:
    steps = loss_plot.getAxis("bottom").tickStrings([0, 2500, 200_000, 1_500_000], 1.0, 1.0)
    assert steps == ["0", "2500", "200k", "1.5M"]  # never "1e+06"
    norms = grad_plot.getAxis("left").tickStrings([-1.0, math.log10(5), 1.0, -5.0], 1.0, 1.0)
    assert norms[:3] == ["0.1", "5", "10"] and "10" in norms[3]  # 10⁻⁵ stays compact
