"""The text views with real inspections: what colours the text, what clicking does, the guesses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from rnnlab.core.cell_names import GATE_NAMES
from rnnlab.gui.inspector.neuron_text import NeuronTextView
from rnnlab.gui.inspector.text_views import ConnectivityView, GuessesView
from rnnlab.gui.widgets.style import shown_char


@pytest.fixture
def neuron_view(shown) -> NeuronTextView:
    return shown(NeuronTextView(), 700, 350)


@pytest.fixture
def connectivity_view(shown) -> ConnectivityView:
    return shown(ConnectivityView(), 700, 350)


@pytest.fixture
def guesses_view(shown, small_corpus) -> GuessesView:
    view = shown(GuessesView(), 700, 350)
    view.set_characters(small_corpus.vocabulary.chars)
    return view


@pytest.fixture(scope="module")
def early_prediction(trained_trainers, small_corpus, probe_text):
    """An inspection whose connectivity explains the prediction at position 40, not the last."""
    from rnnlab.core.inspection import inspect

    trainer = trained_trainers["lstm"]  # only read: probing does not train
    return inspect(trainer.model, small_corpus.vocabulary, probe_text, step=trainer.step,
                   connectivity_position=40)  # fmt: skip


def _rgb(colours) -> list[tuple[int, int, int]]:
    return [QColor(colour).getRgb()[:3] for colour in colours]


def _tooltip_at(grid, position: int, row: int = 0) -> str:
    """The tooltip a user sees hovering the cell: a real help event, as Qt sends it."""
    point = grid.cell_rect(position, row).center()
    QApplication.sendEvent(grid, QHelpEvent(QEvent.Type.ToolTip, point, grid.mapToGlobal(point)))
    return QToolTip.text()


def test_neuron_view_starts_on_the_most_varying_hidden_unit(neuron_view, inspections) -> None:
    inspection = inspections["lstm"]
    neuron_view.show_inspection(inspection)
    hidden = inspection.probe.layers[0].gates["h"]  # (T, H)
    data = neuron_view.export_data()
    deviations = hidden.std(axis=0)
    assert neuron_view.selected() == ("h", int(np.argmax(deviations)))
    np.testing.assert_array_equal(data["values"], hidden[:, data["unit"]])
    assert "".join(data["text"]) == inspection.probe.input_text
    # The list: the most varying units, sorted by their variation, the selected one first.
    listed = data["top_units"]
    assert 10 <= len(listed) <= 20
    assert np.all(np.diff(deviations[listed]) <= 0)
    assert deviations[listed[-1]] >= np.delete(deviations, listed).max()
    list_widget = neuron_view.unit_list
    assert list_widget.count() == len(listed) and list_widget.currentRow() == 0
    assert list_widget.item(0).text().startswith(f"unit {listed[0]}  (σ ")


def test_clicking_a_unit_in_the_list_recolours_the_text(neuron_view, inspections, qtbot) -> None:
    inspection = inspections["lstm"]
    neuron_view.show_inspection(inspection)
    before = _rgb(neuron_view.char_colours())
    list_widget = neuron_view.unit_list
    item = list_widget.item(3)
    unit = neuron_view.export_data()["top_units"][3]
    with qtbot.waitSignal(neuron_view.unitSelected) as signal:
        rect = list_widget.visualItemRect(item)
        qtbot.mouseClick(list_widget.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["h", unit]
    assert neuron_view.selected() == ("h", unit)
    after = _rgb(neuron_view.char_colours())
    assert len(after) == len(inspection.probe.input_text)
    assert after != before
    # tanh has fixed levels -1..1: each character has the map's colour at its value.
    values = inspection.probe.layers[0].gates["h"][:, unit]
    colour_map = neuron_view.legend.bar.colour_map
    assert after == _rgb(colour_map.map((values + 1) / 2, mode="qcolor"))
    assert "−1 … 1" in neuron_view.legend.title.text()


def test_set_unit_follows_a_heatmap_click_and_scales_relu_to_the_unit(
    neuron_view, inspections
) -> None:
    inspection = inspections["rnn-relu"]
    neuron_view.show_inspection(inspection)
    neuron_view.set_unit("h", 5)
    assert neuron_view.selected() == ("h", 5)
    assert neuron_view.gate_combo.currentData() == "h"
    values = inspection.probe.layers[0].gates["h"][:, 5]
    np.testing.assert_array_equal(neuron_view.export_data()["values"], values)
    colours = _rgb(neuron_view.char_colours())
    top_of_scale = _rgb(neuron_view.legend.bar.colour_map.map([1.0], mode="qcolor"))[0]
    assert colours[int(np.argmax(values))] == top_of_scale  # relu: 0 .. this unit's largest
    assert "largest" in neuron_view.legend.title.text()
    neuron_view.set_unit("pre", 2)  # another gate
    np.testing.assert_array_equal(
        neuron_view.export_data()["values"], inspection.probe.layers[0].gates["pre"][:, 2]
    )


def test_layer_and_cell_changes_rebuild_the_neuron_view(neuron_view, inspections) -> None:
    neuron_view.show_inspection(inspections["lstm"])
    combo = neuron_view.gate_combo
    assert [combo.itemData(i) for i in range(combo.count())] == list(GATE_NAMES["lstm"])
    neuron_view.set_unit("f", 7)
    neuron_view.set_layer(1)
    expected = inspections["lstm"].probe.layers[1].gates["f"][:, 7]
    np.testing.assert_array_equal(neuron_view.export_data()["values"], expected)
    assert neuron_view.export_data()["layer"] == 1
    neuron_view.show_inspection(inspections["gru"])  # no "f" in a GRU: back to h
    assert [combo.itemData(i) for i in range(combo.count())] == list(GATE_NAMES["gru"])
    assert neuron_view.selected()[0] == "h"
    # A smaller model: the selected unit no longer exists, the most varying one is taken.
    probe = inspections["gru"].probe
    small_layers = tuple(
        dataclasses.replace(layer, gates={name: gate[:, :4] for name, gate in layer.gates.items()})
        for layer in probe.layers
    )
    small = dataclasses.replace(
        inspections["gru"], probe=dataclasses.replace(probe, layers=small_layers)
    )
    neuron_view.set_unit("h", 20)
    neuron_view.show_inspection(small)
    assert neuron_view.selected()[1] < 4
    assert len(neuron_view.export_data()["top_units"]) == 4


def test_hovering_a_character_tells_its_value(neuron_view, inspections) -> None:
    neuron_view.show_inspection(inspections["gru"])
    gate, unit = neuron_view.selected()
    value = inspections["gru"].probe.layers[0].gates[gate][3, unit]
    text = _tooltip_at(neuron_view.grid, 3)
    assert text.startswith("position 3: ") and f"{value:.3f}" in text
    assert "hidden state" in text  # what h means


def test_line_ends_break_lines_and_words_stay_whole(neuron_view, inspections) -> None:
    neuron_view.show_inspection(inspections["rnn"])
    grid, text = neuron_view.grid, inspections["rnn"].probe.input_text
    left = grid.cell_rect(0).left()
    for position in range(1, len(text)):
        if text[position - 1] == "\n":
            assert grid.cell_rect(position).left() == left
    for start, word in _words(text):
        tops = {grid.cell_rect(position).top() for position in range(start, start + len(word))}
        assert len(tops) == 1, f"{word!r} split across lines"


def _words(text: str) -> list[tuple[int, str]]:
    words, start = [], 0
    for part in text.replace("\n", " ").split(" "):
        if part:
            words.append((start, part))
        start += len(part) + 1
    return words


def test_clicking_a_character_asks_for_its_connectivity(connectivity_view, inspections, qtbot):
    connectivity_view.show_inspection(inspections["lstm"])
    grid = connectivity_view.grid
    with qtbot.waitSignal(connectivity_view.positionClicked) as signal:
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(17).center())
    assert signal.args == [17]
    with qtbot.assertNotEmitted(connectivity_view.positionClicked):  # beyond the last character
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(1, grid.height() - 2))


def test_connectivity_strengths_are_relative_and_zero_after_the_position(
    connectivity_view, early_prediction
) -> None:
    probe = early_prediction.probe
    assert probe.connectivity_position == 40
    connectivity_view.show_inspection(early_prediction)
    position, strengths = probe.connectivity_position, connectivity_view.strengths()
    assert strengths.shape == (len(probe.input_text),)
    assert strengths.max() == pytest.approx(1.0)
    assert np.all(strengths[position + 1 :] == 0) and np.all(strengths >= 0)
    expected = probe.connectivity[: position + 1] / probe.connectivity[: position + 1].max()
    np.testing.assert_allclose(strengths[: position + 1], expected, rtol=1e-6)
    caption = connectivity_view.legend.title.text()
    assert (
        f"'{shown_char(probe.target_text[position])}'" in caption
        and f"position {position}" in caption
    )
    # The colours follow the palette: no strength blends into the background, after the
    # prediction no fill at all.
    fills = connectivity_view.grid.fills()
    base = connectivity_view.palette().color(QPalette.ColorRole.Base)
    weakest = int(np.argmin(strengths[: position + 1]))
    assert fills[position + 1 :] == [(None,)] * (len(strengths) - position - 1)
    assert _rgb([fills[weakest][0]]) != _rgb([fills[int(np.argmax(strengths))][0]])
    assert "cannot influence" in _tooltip_at(connectivity_view.grid, len(strengths) - 1)
    assert _rgb([connectivity_view.legend.bar.colour_map.map([0.0], mode="qcolor")[0]]) == _rgb(
        [base]
    )
    # On a log scale: stronger is never lighter, and a character with a thousandth of the
    # largest strength is still visibly coloured (a linear scale would leave it blank).
    read = np.arange(position + 1)
    lightness = np.array([fills[t][0].lightnessF() for t in read])
    order = np.argsort(strengths[read], kind="stable")
    assert np.all(np.diff(lightness[order]) <= 1e-3)
    faint = [t for t in read if 1e-3 <= strengths[t] < 1e-2]
    assert all(fills[t][0].lightnessF() < base.lightnessF() - 0.05 for t in faint)


def test_guess_columns_are_the_models_top_five(guesses_view, inspections, small_corpus) -> None:
    probe = inspections["lstm"].probe
    chars = small_corpus.vocabulary.chars
    guesses_view.show_inspection(inspections["lstm"])
    for position in (0, 10, len(probe.target_text) - 1):
        column = guesses_view.column(position)
        expected = [chars[index] for index in probe.guess_indices[position]]
        assert [char for char, _ in column] == expected
        chances = [chance for _, chance in column]
        assert chances == pytest.approx(list(probe.guess_probabilities[position]))
        assert chances == sorted(chances, reverse=True)
    data = guesses_view.export_data()
    assert (
        data["guess_characters"].shape
        == data["guess_probabilities"].shape
        == (
            len(probe.target_text),
            5,
        )
    )
    assert "".join(data["text"]) == probe.target_text
    # The right guess is outlined, wherever the model had it among its five.
    matches = {
        (position, rank + 1)
        for position, actual in enumerate(probe.target_text)
        for rank, char in enumerate(data["guess_characters"][position])
        if char == actual
    }
    assert matches and guesses_view.grid.marked() == matches
    char, chance = guesses_view.column(4)[0]
    assert _tooltip_at(guesses_view.grid, 4, 1).startswith(
        f"'{shown_char(char)}' {chance * 100:.0f} %"
    )


def test_clear_empties_every_view(neuron_view, connectivity_view, guesses_view, inspections):
    for view in (neuron_view, connectivity_view, guesses_view):
        view.show_inspection(inspections["sru"])
        assert view.export_data()
        view.clear()
        assert view.export_data() == {}
        assert view.grid.fills() == []
        assert view.legend.title.text() == ""
    assert neuron_view.selected() is None and neuron_view.unit_list.count() == 0


def test_font_scale_enlarges_the_cells(guesses_view, neuron_view, inspections) -> None:
    for view in (guesses_view, neuron_view):
        view.show_inspection(inspections["rnn"])
        small = view.grid.cell_size()
        view.set_font_scale(1.6)
        large = view.grid.cell_size()
        assert large.width() >= 1.4 * small.width() and large.height() >= 1.4 * small.height()
    assert neuron_view.unit_list.font().pointSizeF() >= 16


def test_colours_follow_a_dark_palette(connectivity_view, early_prediction) -> None:
    connectivity_view.show_inspection(early_prediction)
    palette = QPalette(connectivity_view.palette())
    palette.setColor(QPalette.ColorRole.Base, QColor("#17181a"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    connectivity_view.setPalette(palette)
    weakest = connectivity_view.legend.bar.colour_map.map([0.0], mode="qcolor")[0]
    assert _rgb([weakest]) == [(0x17, 0x18, 0x1A)]  # no dependence: the dark background
    strongest = int(np.argmax(connectivity_view.strengths()))
    fill = connectivity_view.grid.fills()[strongest][0]
    assert fill.lightness() > 128  # the strongest stands out as light on dark
