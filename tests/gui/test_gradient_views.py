"""Gradient flow, its history over training, group gradient norms and spectral norms, fed with
real inspections of real (tiny) models."""

import dataclasses

import numpy as np
import pytest

from rnnlab.core.config import ModelConfig, TrainConfig
from rnnlab.gui.inspector import gradient_history
from rnnlab.gui.inspector.gradient_views import GradientFlowPlot, GradientHistoryView
from rnnlab.gui.inspector.weight_plots import SRU_MESSAGE, GroupNormPlot, SpectrumPlot
from rnnlab.gui.widgets.view_frame import EMPTY_HINT


@pytest.fixture(scope="module")
def run_inspections(small_corpus, probe_text) -> list:
    """Three inspections of one small LSTM at steps 3, 6, 9, then one at step 12 on a probe
    text 30 characters shorter and one at step 15 on a text 20 characters longer."""
    from rnnlab.core.inspection import inspect
    from rnnlab.core.trainer import new_trainer

    model_config = ModelConfig(
        vocab_size=len(small_corpus.vocabulary), cell="lstm", hidden_size=16, layers=2,
        embedding_size=8,
    )  # fmt: skip
    train_config = TrainConfig(batch_size=4, seq_len=16, eval_every=10_000, device="cpu")
    trainer = new_trainer(small_corpus, model_config, train_config)
    longer = probe_text + small_corpus.text[:20]
    found = []
    for text in (probe_text, probe_text, probe_text, probe_text[:-30], longer):
        list(trainer.run(max_steps=3))
        found.append(
            inspect(
                trainer.model, small_corpus.vocabulary, text, step=trainer.step,
                group_grad_norms=trainer.group_grad_norms(),
            )
        )  # fmt: skip
    return found


def _relative(norms: np.ndarray) -> np.ndarray:
    """The expected column: log10 of the norm relative to the last position, by distance."""
    with np.errstate(divide="ignore"):
        return np.log10(norms[::-1] / norms[-1])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_flow_has_one_finite_point_per_position_and_a_curve_per_layer(shown, inspections, cell):
    inspection = inspections[cell]
    plot = shown(GradientFlowPlot(), 600, 350)
    plot.show_inspection(inspection)
    plot.flush()
    probe = inspection.probe
    assert plot.legend_texts() == ["layer 1", "layer 2"]
    assert plot.hint_text() == ""
    for layer, layer_probe in enumerate(probe.layers):
        distance, norms = plot.curve_data(layer)
        assert len(distance) == probe.positions  # gated cells: no norm underflows to zero
        assert np.isfinite(norms).all() and (norms > 0).all()
        np.testing.assert_array_equal(distance, np.arange(probe.positions))
        # Distance 0 is the loss position, the last one.
        np.testing.assert_allclose(norms, layer_probe.gradient_norms[::-1])
    data = plot.export_data()
    assert set(data) == {"distance", "layer_1", "layer_2", "character", "step"}
    assert data["step"] == inspection.step
    assert "".join(data["character"]) == probe.input_text[::-1]


def test_flow_leaves_zero_norms_out_and_says_so(shown, inspections):
    # A vanilla RNN's gradient underflows to exactly zero some tens of steps back.
    plot = shown(GradientFlowPlot(), 600, 350)
    plot.show_inspection(inspections["rnn"])
    plot.flush()
    by_distance = inspections["rnn"].probe.layers[0].gradient_norms[::-1]
    distance, norms = plot.curve_data(0)
    np.testing.assert_array_equal(distance, np.flatnonzero(by_distance > 0))
    assert np.isfinite(np.log10(norms)).all()
    end = distance[-1] + 1
    assert end < len(by_distance)
    assert plot.legend_texts()[0] == f"layer 1 (0 from {end} steps back)"
    # An SRU's top layer: h_t feeds only the output at t, so nothing flows back in time.
    plot = shown(GradientFlowPlot(), 600, 350)
    plot.show_inspection(inspections["sru"])
    plot.flush()
    distance, norms = plot.curve_data(1)
    np.testing.assert_array_equal(distance, [0])
    assert plot.legend_texts()[1] == "layer 2 (0 from 1 steps back)"
    assert plot.export_data()["layer_2"][1:].max() == 0.0  # exported as measured


def test_flow_keeps_earlier_inspections_as_a_trail(shown, run_inspections):
    plot = shown(GradientFlowPlot(), 600, 350)
    first, second, third = run_inspections[:3]
    for inspection in (first, second, third):
        plot.show_inspection(inspection)
    plot.flush()
    earlier = plot.earlier_curves(0)
    assert len(earlier) == 2
    np.testing.assert_allclose(earlier[0], second.probe.layers[0].gradient_norms[::-1])
    np.testing.assert_allclose(earlier[1], first.probe.layers[0].gradient_norms[::-1])
    # A probe at the same step (asked for while paused) replaces the newest, adds no trail.
    plot.show_inspection(dataclasses.replace(third, probe=first.probe))
    assert len(plot.earlier_curves(0)) == 2
    np.testing.assert_allclose(plot.curve_data(0)[1], first.probe.layers[0].gradient_norms[::-1])
    plot.set_font_scale(1.6)  # restyles every curve of the trail without error
    plot.getPlotItem().autoRange()
    text = plot.hover_text(5, np.log10(plot.curve_data(0)[1][5]))
    assert text.startswith("layer 1, 5 steps back") and ("faded" in text or "grown" in text)


def test_history_adds_a_column_per_inspection_padded_with_nan(shown, run_inspections):
    view = shown(GradientHistoryView(), 600, 350)
    assert view.image().shape == (0, 0)
    for count, inspection in enumerate(run_inspections[:3], start=1):
        view.show_inspection(inspection)
        assert view.image().shape == (count, inspection.probe.positions)
    np.testing.assert_array_equal(view.steps(), [3, 6, 9])
    expected = _relative(run_inspections[2].probe.layers[0].gradient_norms)
    np.testing.assert_allclose(view.export_data()["log10_relative"][2], expected, rtol=1e-5)
    np.testing.assert_array_equal(view.image()[:, 0], 0.0)  # the loss position itself
    low, high = gradient_history.LEVELS
    assert np.nanmin(view.image()) >= low and np.nanmax(view.image()) <= high

    positions = run_inspections[0].probe.positions
    view.show_inspection(run_inspections[3])  # 30 characters shorter: its top rows have no data
    assert view.image().shape == (4, positions)
    assert np.isnan(view.image()[3, positions - 30 :]).all()
    assert not np.isnan(view.image()[3, : positions - 30]).any()
    assert "no data" in view.hover_text(3, positions - 1)
    view.show_inspection(run_inspections[4])  # 20 longer: every earlier column is padded
    assert view.image().shape == (5, positions + 20)
    assert np.isnan(view.image()[:4, positions:]).all()
    assert not np.isnan(view.image()[4]).any()
    assert "step 15" in view.hover_text(4, 3)


def test_history_set_layer_shows_that_layers_history(shown, run_inspections):
    view = shown(GradientHistoryView(), 600, 350)
    for inspection in run_inspections[:2]:
        view.show_inspection(inspection)
    view.set_layer(1)
    for column, inspection in enumerate(run_inspections[:2]):
        expected = _relative(inspection.probe.layers[1].gradient_norms)
        np.testing.assert_allclose(view.export_data()["log10_relative"][column], expected, 1e-5)
    assert view.export_data()["layer"] == 2  # as the legends number layers
    view.set_layer(0)
    expected = _relative(run_inspections[0].probe.layers[0].gradient_norms)
    np.testing.assert_allclose(view.export_data()["log10_relative"][0], expected, rtol=1e-5)


def test_history_same_step_replaces_and_a_full_history_keeps_every_other(
    shown, run_inspections, monkeypatch
):
    view = shown(GradientHistoryView(), 600, 350)
    first = run_inspections[0]
    view.show_inspection(first)
    view.show_inspection(dataclasses.replace(run_inspections[1], step=first.step))
    np.testing.assert_array_equal(view.steps(), [first.step])
    expected = _relative(run_inspections[1].probe.layers[0].gradient_norms)
    np.testing.assert_allclose(view.export_data()["log10_relative"][0], expected, rtol=1e-5)

    monkeypatch.setattr(gradient_history, "MAX_COLUMNS", 4)
    view.clear()
    for step in range(1, 7):
        view.show_inspection(dataclasses.replace(first, step=step))
    # Full at 4 columns: the 5th keeps steps 1 and 3 and goes on, so the whole run stays.
    np.testing.assert_array_equal(view.steps(), [1, 3, 5, 6])
    assert view.image().shape[0] == 4


def test_group_norms_follow_the_inspections(shown, run_inspections):
    plot = shown(GroupNormPlot(), 600, 350)
    assert plot.hint_text() == EMPTY_HINT
    for inspection in run_inspections[:3]:
        plot.show_inspection(inspection)
    plot.flush()
    series = plot.series()
    assert set(series) == set(run_inspections[0].group_grad_norms)
    assert "layer 2 recurrent" in plot.legend_texts()
    for name, (steps, values) in series.items():
        np.testing.assert_array_equal(steps, [3, 6, 9])
        assert values.tolist() == [i.group_grad_norms[name] for i in run_inspections[:3]]
    # The same step again replaces its point; a new group gets a curve of its own.
    norms = dict(run_inspections[1].group_grad_norms, **{"layer 3 input": 0.5})
    plot.show_inspection(dataclasses.replace(run_inspections[2], group_grad_norms=norms))
    assert plot.series()["output"][1].tolist()[-1] == norms["output"]
    assert len(plot.series()["output"][0]) == 3
    assert plot.series()["layer 3 input"][0].tolist() == [9]
    assert "layer 3 input" in plot.legend_texts()
    table = plot.export_data()
    np.testing.assert_array_equal(table["steps"], [3, 6, 9])
    assert np.isnan(table["layer_3_input"][:2]).all() and table["layer_3_input"][2] == 0.5


def test_spectrum_follows_the_inspections_and_explains_sru(shown, run_inspections, inspections):
    plot = shown(SpectrumPlot(), 600, 350)
    for inspection in run_inspections[:3]:
        plot.show_inspection(inspection)
    plot.show_inspection(run_inspections[2])  # the same step: replaced, not doubled
    plot.flush()
    assert plot.legend_texts() == ["layer 1", "layer 2"]
    for layer, (name, (steps, values)) in enumerate(plot.series().items()):
        assert name == f"layer {layer + 1}"
        np.testing.assert_array_equal(steps, [3, 6, 9])
        assert values.tolist() == [i.spectral_norms[layer] for i in run_inspections[:3]]
    assert plot.reference_line.value() == 0.0  # log10(1) on the log axis
    assert plot.hint_text() == ""

    plot.show_inspection(inspections["sru"])
    assert plot.hint_text() == SRU_MESSAGE
    assert not plot.reference_line.isVisible()
    plot.show_inspection(inspections["lstm"])
    assert plot.hint_text() == "" and plot.reference_line.isVisible()


def test_clear_empties_every_view(shown, run_inspections):
    views = [GradientFlowPlot(), GradientHistoryView(), GroupNormPlot(), SpectrumPlot()]
    for view in views:
        shown(view, 600, 350)
        for inspection in run_inspections[:2]:
            view.show_inspection(inspection)
        view.clear()
        assert view.hint.text() == EMPTY_HINT and not view.hint.isHidden(), view.objectName()
    flow, history, group_norms, spectrum = views
    assert flow.export_data() == {} and flow.legend_texts() == []
    assert history.image().shape == (0, 0) and len(history.export_data()["steps"]) == 0
    assert group_norms.series() == {} and group_norms.legend_texts() == []
    assert spectrum.series() == {} and list(spectrum.export_data()) == ["steps"]
    # And they take new inspections after a clear.
    history.show_inspection(run_inspections[2])
    np.testing.assert_array_equal(history.steps(), [9])
