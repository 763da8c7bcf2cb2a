"""Other runs over the inspector's gradient-flow and spectral-norm plots, fed with real
inspections of real (tiny) models; and what the window keeps of each run's inspections."""

import dataclasses

import numpy as np

from rnnlab.gui.inspector.gradient_views import GradientFlowPlot
from rnnlab.gui.inspector.run_overlays import RunTrace
from rnnlab.gui.inspector.weight_plots import SpectrumPlot
from rnnlab.gui.plots.run_styles import run_colour, run_pen_style
from rnnlab.gui.widgets.style import is_dark
from rnnlab.gui.window.run_inspections import SPECTRAL_POINTS, KeptRun


def _by_distance(inspection, layer: int) -> np.ndarray:
    """‖∂L/∂h‖ of ``layer`` by distance back, zero norms (not drawn) left out."""
    norms = inspection.probe.layers[layer].gradient_norms[::-1].astype(np.float64)
    return norms[norms > 0]


def test_flow_draws_each_visible_run_at_the_chosen_layer(shown, inspections) -> None:
    plot = shown(GradientFlowPlot(), 700, 420)
    lstm, gru, rnn = inspections["lstm"], inspections["gru"], inspections["rnn"]
    plot.show_inspection(lstm)
    current = RunTrace(1, "LSTM 2×24", 0, latest=lstm)
    others = [RunTrace(2, "GRU 2×24", 1, latest=gru),
              RunTrace(3, "RNN 2×24", 2, visible=False, latest=rnn)]  # fmt: skip
    plot.set_runs(current, others)
    plot.set_layer(1)
    plot.flush()
    # The current run at the chosen layer only, in its run's colour.
    assert [curve.isVisible() for curve in plot._curves] == [False, True]
    assert plot._curves[1].opts["pen"].color() == run_colour(0, is_dark(plot))
    np.testing.assert_allclose(plot.curve_data(1)[1], _by_distance(lstm, 1))
    # The other visible run's latest curve at that layer, in its colour and dash pattern.
    distance, norms = plot.other_curve_data(2)
    np.testing.assert_allclose(norms, _by_distance(gru, 1))
    np.testing.assert_array_equal(distance, np.arange(len(norms)))
    pen = plot._runs.curves()[2].opts["pen"]
    assert pen.color() == run_colour(1, is_dark(plot)) and pen.style() == run_pen_style(1)
    assert len(plot.other_curve_data(3)[0]) == 0  # hidden: not drawn
    assert plot.legend_texts() == ["layer 2", "LSTM 2×24", "GRU 2×24"]
    plot.getPlotItem().autoRange()
    assert plot.hover_text(4, np.log10(norms[4])).startswith("GRU 2×24, layer 2, 4 steps back")

    # Ticked again: three curves; the vanilla RNN's stops where its gradient underflows.
    plot.set_runs(current, [others[0], dataclasses.replace(others[1], visible=True)])
    plot.set_layer(0)
    plot.flush()
    np.testing.assert_allclose(plot.other_curve_data(3)[1], _by_distance(rnn, 0))
    assert plot.legend_texts() == ["layer 1", "LSTM 2×24", "GRU 2×24", "RNN 2×24"]
    # A run probed on another text is not drawn beside this one, and says why.
    other_text = dataclasses.replace(gru, probe=dataclasses.replace(gru.probe, input_text="x"))
    plot.set_runs(current, [dataclasses.replace(others[0], latest=other_text)])
    plot.flush()
    assert len(plot.other_curve_data(2)[0]) == 0
    assert plot.legend_texts()[2] == "GRU 2×24 (other text)"
    # Alone again (the other run deleted): a colour per layer, as before runs existed.
    plot.set_runs(current, [])
    plot.flush()
    assert plot._runs.curves() == {} and plot.legend_texts() == ["layer 1", "layer 2"]
    assert all(curve.isVisible() for curve in plot._curves)


def test_spectrum_overlays_the_other_runs_series(shown, inspections) -> None:
    plot = shown(SpectrumPlot(), 700, 420)
    lstm, gru, sru = inspections["lstm"], inspections["gru"], inspections["sru"]
    plot.show_inspection(lstm)
    steps = np.array([10, 20, 30])
    norms = np.array([[0.9, 1.1], [0.95, 1.2], [1.0, 1.3]])
    current = RunTrace(1, "LSTM 2×24", 0, latest=lstm)
    others = [
        RunTrace(2, "GRU 2×24", 1, latest=gru, spectral_steps=steps, spectral_norms=norms),
        RunTrace(3, "SRU 2×24", 2, latest=sru, spectral_steps=np.array([10]),
                 spectral_norms=np.zeros((1, 0))),
        RunTrace(4, "RNN 2×24", 3, visible=False, latest=gru, spectral_steps=steps,
                 spectral_norms=norms),
    ]  # fmt: skip
    plot.set_runs(current, others)
    plot.set_layer(1)
    plot.flush()
    drawn_steps, values = plot.other_series(2)
    np.testing.assert_array_equal(drawn_steps, steps)
    np.testing.assert_allclose(values, norms[:, 1])
    assert plot._runs.curves()[2].opts["pen"].color() == run_colour(1, is_dark(plot))
    assert len(plot.other_series(4)[0]) == 0  # hidden
    assert plot.legend_texts() == ["layer 2", "LSTM 2×24", "GRU 2×24", "SRU 2×24 (no W_hh)"]
    assert [curve.isVisible() for curve in plot._curves.values()] == [False, True]

    # The SRU run current: no matrix of its own, yet the others' are drawn, not the message.
    plot.clear()
    plot.set_runs(RunTrace(3, "SRU 2×24", 2, latest=sru), [others[0]])
    plot.show_inspection(sru)
    plot.flush()
    assert plot.hint_text() == "" and plot.reference_line.isVisible()
    assert len(plot.other_series(2)[0]) == 3
    assert plot.legend_texts() == ["layer 2", "GRU 2×24", "SRU 2×24 (no W_hh)"]
    # A run that becomes current brings its kept history along.
    plot.clear()
    plot.set_runs(current, [])
    plot.show_history(steps, norms)
    plot.flush()
    assert plot.series()["layer 2"][0].tolist() == [10, 20, 30]


def test_the_window_keeps_a_thinned_spectral_history_and_the_newest_probe(inspections) -> None:
    lstm = inspections["lstm"]
    kept = KeptRun("LSTM", 0)
    for step in range(1, 2 * SPECTRAL_POINTS):
        assert kept.take(dataclasses.replace(lstm, step=step, spectral_norms=(step, 2.0 * step)))
    assert len(kept.steps) <= SPECTRAL_POINTS and kept.norms.shape == (len(kept.steps), 2)
    assert kept.steps[0] == 1 and kept.steps[-1] == 2 * SPECTRAL_POINTS - 1  # the whole run
    assert np.all(np.diff(kept.steps) > 0) and np.all(kept.norms[:, 0] == kept.steps)
    # A probe overtaken on its way (an older step) is dropped; the same step replaces its point.
    assert not kept.take(dataclasses.replace(lstm, step=5))
    last, handed_over = int(kept.steps[-1]), kept.norms  # as a view holds it
    assert kept.take(dataclasses.replace(lstm, step=last, spectral_norms=(7.0, 7.0)))
    assert kept.steps[-1] == last and kept.norms[-1].tolist() == [7.0, 7.0]
    assert handed_over[-1].tolist() == [last, 2.0 * last]  # never written in place
