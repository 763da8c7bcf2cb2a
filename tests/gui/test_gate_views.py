"""Gate heatmaps and saturation plot, fed real inspections of every cell type."""

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from rnnlab.core.cell_names import GATE_NAMES, value_range
from rnnlab.core.config import CELL_TYPES
from rnnlab.core.probe_result import LayerProbe
from rnnlab.gui.inspector.gate_view import STATUS_HINT, GateView
from rnnlab.gui.inspector.heatmap_parts import colour_levels, nice_bound
from rnnlab.gui.inspector.saturation_plot import (
    SaturationPlot,
    saturating_gates,
    saturation_fractions,
)


@pytest.fixture
def gate_view(shown) -> GateView:
    return shown(GateView(), 900, 750)


@pytest.fixture
def saturation_plot(shown) -> SaturationPlot:
    return shown(SaturationPlot(), 450, 350)


def _scaled(inspection, factor: float):
    """The inspection with every gate and state multiplied by ``factor``."""
    layers = tuple(
        LayerProbe({name: values * factor for name, values in layer.gates.items()},
                   layer.gradient_norms)
        for layer in inspection.probe.layers
    )  # fmt: skip
    probe = dataclasses.replace(inspection.probe, layers=layers)
    return dataclasses.replace(inspection, probe=probe, step=inspection.step + 1)


def _viewport_point(view: GateView, name: str, position: int, unit: int):
    scene_point = view.view(name).mapViewToScene(QPointF(position, unit))
    return view.graphics.mapFromScene(scene_point)


def test_nice_bounds_and_levels() -> None:
    assert [nice_bound(v) for v in (0.0, 0.3, 1.0, 1.2, 4.9, 5.1, 30.2, 200.0)] == [
        1, 1, 1, 2, 5, 10, 50, 200,
    ]  # fmt: skip
    assert nice_bound(float("inf")) == 1.0
    assert colour_levels("sigmoid", 7.0) == (0.0, 1.0)
    assert colour_levels("tanh", 7.0) == (-1.0, 1.0)
    assert colour_levels("relu", 7.0) == (0.0, 10.0)
    assert colour_levels("unbounded", 7.0) == (-10.0, 10.0)


def test_saturation_fractions_on_hand_made_values() -> None:
    # 4 positions x 3 units: always low; half high, half middle; low, high, middle, NaN.
    values = np.array([[0.0, 0.95, 0.05], [0.05, 0.5, 0.95], [0.02, 0.99, 0.5], [0.0, 0.4, np.nan]])
    left, right = saturation_fractions(values, 0.1, 0.9)
    np.testing.assert_allclose(left, [1.0, 0.0, 0.25])
    np.testing.assert_allclose(right, [0.0, 0.5, 0.25])
    tanh_left, tanh_right = saturation_fractions(np.array([[-0.95, 0.95], [-0.5, 0.0]]), -0.9, 0.9)
    np.testing.assert_allclose(tanh_left, [0.5, 0.0])
    np.testing.assert_allclose(tanh_right, [0.0, 0.5])
    empty_left, _ = saturation_fractions(np.zeros((0, 5)), 0.1, 0.9)
    np.testing.assert_array_equal(empty_left, np.zeros(5))


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_heatmaps_show_every_gate_with_fixed_levels(gate_view, inspections, cell) -> None:
    inspection = inspections[cell]
    gate_view.show_inspection(inspection)
    assert gate_view.gate_names() == GATE_NAMES[cell]
    assert not gate_view.showing_hint()
    for name in GATE_NAMES[cell]:
        shown = gate_view.heatmap(name)
        expected = inspection.probe.layers[0].gates[name]
        assert shown.shape == (expected.shape[1], inspection.probe.positions)  # (units, positions)
        np.testing.assert_array_equal(shown, expected.T)
        low, high = gate_view.levels(name)
        kind = value_range(cell, name)
        if kind == "sigmoid":
            assert (low, high) == (0.0, 1.0)
            assert shown.min() >= 0.0 and shown.max() <= 1.0
        elif kind == "tanh":
            assert (low, high) == (-1.0, 1.0)
        elif kind == "relu":
            assert low == 0.0 and high >= shown.max() and high == nice_bound(high)
        else:
            assert low == -high and high >= np.abs(shown).max() and high == nice_bound(high)


def test_unbounded_levels_only_grow_until_cleared(gate_view, inspections) -> None:
    inspection = inspections["lstm"]
    gate_view.show_inspection(_scaled(inspection, 40.0))
    wide = gate_view.levels("c")
    gate_view.show_inspection(inspection)
    assert gate_view.levels("c") == wide  # colours stay comparable between updates
    gate_view.clear()
    gate_view.show_inspection(inspection)
    assert gate_view.levels("c")[1] < wide[1]


def test_layer_choice_and_rebuild_for_another_cell(gate_view, inspections) -> None:
    gate_view.show_inspection(inspections["lstm"])
    images = {name: gate_view._rows[name].image for name in gate_view.gate_names()}
    gate_view.set_layer(1)
    np.testing.assert_array_equal(
        gate_view.heatmap("f"), inspections["lstm"].probe.layers[1].gates["f"].T
    )
    gate_view.show_inspection(_scaled(inspections["lstm"], 0.5))  # the same cell: items kept
    assert all(gate_view._rows[name].image is image for name, image in images.items())
    gate_view.show_inspection(inspections["gru"])
    assert gate_view.gate_names() == GATE_NAMES["gru"]
    np.testing.assert_array_equal(
        gate_view.heatmap("z"), inspections["gru"].probe.layers[1].gates["z"].T
    )
    data = gate_view.export_data()
    assert set(data) == {*GATE_NAMES["gru"], "text", "layer", "step"}
    assert int(data["layer"]) == 1
    assert "".join(data["text"]) == inspections["gru"].probe.input_text
    gate_view.set_layer(7)  # beyond the model: its last layer
    assert gate_view.layer() == len(inspections["gru"].probe.layers) - 1


def test_hover_reports_gate_unit_character_and_value(gate_view, qtbot, inspections) -> None:
    inspection = inspections["lstm"]
    gate_view.show_inspection(inspection)
    position, unit = 5, 17
    value = inspection.probe.layers[0].gates["f"][position, unit]
    char = inspection.probe.input_text[position]
    scene_point = gate_view.view("f").mapViewToScene(QPointF(position, unit))
    expected = f"f · unit {unit} · '{char}' (position {position}) · {value:.3f}"
    assert gate_view.hover_at(scene_point) == expected
    # A real mouse move over another heatmap, through the view's scene.
    qtbot.mouseMove(gate_view.graphics.viewport(), _viewport_point(gate_view, "c", 9, 3))
    qtbot.waitUntil(lambda: gate_view.status.text().startswith("c · unit 3 · "))
    assert gate_view.hover_at(QPointF(-50, -50)) == ""
    assert gate_view.status.text() == STATUS_HINT


def test_clicking_a_row_selects_that_unit(gate_view, qtbot, inspections) -> None:
    gate_view.show_inspection(inspections["lstm"])
    point = _viewport_point(gate_view, "o", 30, 11)
    with qtbot.waitSignal(gate_view.unitClicked) as signal:
        qtbot.mouseClick(gate_view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert signal.args == ["o", 11]
    assert gate_view.selected_unit() == ("o", 11)
    assert all(row.line.isVisible() and row.line.value() == 11 for row in gate_view._rows.values())
    gate_view.clear()
    assert gate_view.selected_unit() is None
    assert gate_view.heatmap("o").size == 0
    assert gate_view.export_data() == {}
    assert gate_view.showing_hint()


def test_font_scale_enlarges_the_character_ticks(gate_view, inspections) -> None:
    gate_view.show_inspection(inspections["gru"])
    axis = gate_view._char_axis
    before = axis.style["tickFont"].pointSizeF()
    gate_view.set_font_scale(1.6)
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(before * 1.6)
    assert before >= 10.0


def test_character_axis_labels_what_fits_and_all_when_zoomed(gate_view, inspections) -> None:
    inspection = inspections["lstm"]
    gate_view.show_inspection(inspection)
    axis = gate_view._char_axis
    positions = inspection.probe.positions
    ((_, everything),) = axis.tickValues(-0.5, positions - 0.5, 200)  # 120 characters, 200 px
    assert 1 < len(everything) < positions / 2
    ((step, zoomed),) = axis.tickValues(9.5, 19.5, 400)
    assert step == 1 and zoomed == [float(p) for p in range(10, 20)]
    labels = axis.tickStrings(zoomed, 1.0, 1.0)
    assert "".join(labels) == inspection.probe.input_text[10:20].replace(" ", "␣").replace(
        "\n", "⏎"
    )


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_saturation_fractions_per_gate(saturation_plot, inspections, cell) -> None:
    inspection = inspections[cell]
    saturation_plot.show_inspection(inspection)
    assert saturation_plot.gate_names() == saturating_gates(cell)
    for name in saturation_plot.gate_names():
        left, right = saturation_plot.fractions(name)
        values = inspection.probe.layers[0].gates[name]
        assert left.shape == right.shape == (values.shape[1],)
        assert (left >= 0).all() and (right >= 0).all() and (left + right <= 1).all()
        low = 0.1 if value_range(cell, name) == "sigmoid" else -0.9
        np.testing.assert_allclose(left, (values < low).mean(axis=0))
    if not saturation_plot.gate_names():  # a relu RNN: nothing with two ends
        assert saturation_plot.showing_hint()


def test_saturation_layer_hover_export_and_clear(saturation_plot, inspections) -> None:
    inspection = inspections["lstm"]
    assert saturating_gates("lstm") == ("i", "f", "g", "o", "h")  # c is unbounded
    saturation_plot.show_inspection(inspection)
    saturation_plot.set_layer(1)
    left, right = saturation_plot.fractions("f")
    expected_left, expected_right = saturation_fractions(
        inspection.probe.layers[1].gates["f"], 0.1, 0.9
    )
    np.testing.assert_allclose(left, expected_left)
    np.testing.assert_allclose(right, expected_right)
    unit = 4
    plot = saturation_plot.plot("f")
    scene_point = plot.getViewBox().mapViewToScene(QPointF(left[unit], right[unit]))
    text = saturation_plot.hover_at(scene_point)
    assert text.startswith("f · unit ") and "% of positions" in text
    hovered = int(text.split("unit ")[1].split()[0])
    assert (left[hovered], right[hovered]) == pytest.approx((left[unit], right[unit]), abs=0.05)
    data = saturation_plot.export_data()
    assert {"f_left", "f_right", "h_left", "h_right", "layer"} <= set(data)
    np.testing.assert_array_equal(data["f_right"], right)
    saturation_plot.show_inspection(inspections["sru"])  # another cell: other panels
    assert saturation_plot.gate_names() == ("f", "r")
    saturation_plot.clear()
    assert saturation_plot.export_data() == {}
    assert saturation_plot.showing_hint()
