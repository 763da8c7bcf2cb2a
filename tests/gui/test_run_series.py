"""Per-run plot buffers: bounded by thinning, spikes and the last point kept, x looked up by step;
the run palette. Plain arrays: no widget here."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from rnnlab.gui.plots import X_AXES
from rnnlab.gui.plots.plot_data import GrowingArray, debiased_moving_average
from rnnlab.gui.plots.run_series import MAX_POINTS, RunSeries
from rnnlab.gui.plots.run_styles import run_colour, run_colour_name, run_pen_style


def _falling_loss(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    steps = np.arange(1, count + 1)
    trend = 1.6 + 2.6 * np.exp(-steps / (count / 5))
    return steps, trend + np.random.default_rng(seed).normal(0.0, 0.1, count)


def _fill(series: RunSeries, steps, losses, clipped=None, batch: int = 97) -> int:
    """Append in batches as training signals do; the most rows ever held."""
    clipped = np.zeros(len(steps), bool) if clipped is None else clipped
    most = 0
    for start in range(0, len(steps), batch):
        part = slice(start, start + batch)
        series.append(
            steps[part], clipped[part], {"losses": losses[part]},
            chars=steps[part] * 2048, seconds=steps[part] * 0.02,
        )  # fmt: skip
        most = max(most, len(series))
    return most


def test_ten_times_the_bound_stays_bounded_and_keeps_spikes_and_the_last_point() -> None:
    bound = 1000
    series = RunSeries(("losses",), "losses", max_points=bound)
    steps, losses = _falling_loss(10 * bound)
    losses[1234], losses[7777] = 9.0, 0.2  # a spike and the best loss, both long thinned
    most = _fill(series, steps, losses)
    assert most <= bound and len(series) > bound // 2
    stored = series.column("steps")
    assert stored[-1] == steps[-1] and stored[0] == steps[0]  # first and last points stay
    assert series.column("losses").max() == 9.0 and series.column("losses").min() == 0.2
    assert np.all(np.diff(stored) > 0)  # still in step order, for the x look-ups
    assert series.column("spans").sum() == len(steps)  # every step is accounted for once
    assert series.stride > 1
    # Buffers are sized for the bound, not for everything ever appended.
    bytes_per_row = sum(series.column(name).itemsize for name in series.data())
    assert series.nbytes() <= 1.1 * bound * bytes_per_row


def test_the_default_bound_holds_for_ten_times_max_points() -> None:
    series = RunSeries(("losses",), "losses")
    steps, losses = _falling_loss(10 * MAX_POINTS, seed=1)
    most = _fill(series, steps, losses, batch=10_000)
    assert most <= MAX_POINTS
    assert series.column("steps")[-1] == steps[-1]
    assert series.column("losses").max() == losses.max()
    assert series.column("losses").min() == losses.min()
    assert series.nbytes() < 5_000_000  # about 47 bytes a row, a sixteenth to spare


def test_a_diverged_step_and_clipping_survive_thinning() -> None:
    series = RunSeries(("losses",), "losses", max_points=200)
    steps, losses = _falling_loss(4000)
    losses[500] = np.nan  # diverged: a gap in the curve
    clipped = np.zeros(len(steps), bool)
    clipped[1000] = True
    _fill(series, steps, losses, clipped)
    assert np.isnan(series.column("losses")).sum() == 1
    flagged = series.column("steps")[series.column("clipped")]
    assert len(flagged) == 1 and abs(int(flagged[0]) - 1001) <= 2 * series.stride


def test_x_at_steps_exact_interpolated_unknown_and_outside() -> None:
    series = RunSeries(("losses",), "losses")
    series.append(np.array([10, 20, 30]), np.zeros(3, bool), {"losses": np.ones(3)},
                  chars=np.array([100, 200, 300]))  # fmt: skip
    series.append(np.array([40]), np.zeros(1, bool), {"losses": np.ones(1)})  # chars unknown
    chars = series.x_at_steps(np.array([10, 25, 30, 35, 40, 5, 50]), "chars")
    np.testing.assert_allclose(chars[:3], [100, 250, 300])
    assert np.isnan(chars[3:]).all()  # beside or at an unknown value, before or after the rows
    assert np.isnan(series.x_at_steps(np.array([10]), "seconds")).all()  # never given
    np.testing.assert_array_equal(series.x_at_steps(np.array([7]), "step"), [7.0])
    assert [len(series.x(kind)) for kind in X_AXES] == [4, 4, 4]
    with pytest.raises(ValueError):
        series.x("minutes")


def test_appended_columns_must_agree() -> None:
    series = RunSeries(("losses",), "losses")
    with pytest.raises(ValueError):
        series.append(np.arange(3), np.zeros(3, bool), {"losses": np.ones(3)}, chars=np.ones(2))
    with pytest.raises(ValueError):
        series.append(np.arange(3), np.zeros(3, bool), {"norms": np.ones(3)})


def test_smoothing_thinned_points_by_their_spans_tracks_the_full_resolution_average() -> None:
    series = RunSeries(("losses",), "losses", max_points=1000)
    steps, losses = _falling_loss(10_000, seed=2)
    _fill(series, steps, losses)
    kept = series.column("steps") - 1
    for decay in (0.9, 0.99):
        exact, *_ = debiased_moving_average(losses, decay, 0.0, 0)
        approximate, _, count = debiased_moving_average(
            series.column("means"), decay, 0.0, 0, series.column("spans")
        )
        assert count == len(steps)
        assert np.median(abs(approximate - exact[kept])) < 0.03
    # Where nothing was thinned, the spans path gives the plain average exactly.
    plain, *_ = debiased_moving_average(losses[:500], 0.9, 0.0, 0)
    spanned, *_ = debiased_moving_average(losses[:500], 0.9, 0.0, 0, np.ones(500, np.int32))
    np.testing.assert_allclose(spanned, plain)


def test_growing_array_truncates_and_stops_doubling_at_its_limit() -> None:
    array = GrowingArray(np.int64, capacity=8, limit=10)
    array.append(np.arange(8))
    array.append(np.array([8]))
    assert array.nbytes == 10 * 8  # not 16
    array.truncate(3)
    array.append(np.array([7]))
    np.testing.assert_array_equal(array.view(), [0, 1, 2, 7])


def test_run_palette_tells_runs_apart() -> None:
    for dark in (False, True):
        colours = [run_colour(index, dark).name() for index in range(6)]
        assert len(set(colours)) == 6
        background = QColor("#17181a" if dark else "#ffffff")
        for index in range(6):
            assert _contrast(run_colour(index, dark), background) >= 3.0, (index, dark)
    assert run_colour(0, False).name() == "#0072b2"  # Okabe-Ito blue
    assert run_colour(6, False) == run_colour(0, False)  # colours repeat after six ...
    assert all(run_pen_style(index) != run_pen_style(index + 6) for index in range(6))  # ...
    pairs = {(run_colour(i, False).name(), run_pen_style(i)) for i in range(30)}
    assert len(pairs) == 30  # colour and pattern together repeat only after 30 runs
    assert run_pen_style(0) == Qt.PenStyle.SolidLine
    assert [run_colour_name(index) for index in (0, 1, 6)] == ["blue", "vermillion", "blue"]


def _contrast(one: QColor, other: QColor) -> float:
    def luminance(colour: QColor) -> float:
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                  for c in colour.getRgbF()[:3]]  # fmt: skip
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)
